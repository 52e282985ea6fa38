// A drawn digit as MNIST shows digits: the strokes' bounding box scaled into 20×20 pixels, centred in 28×28,
// white on black, values in [0, 1].

const SIDE = 28;
const BOX = 20;

export function digitPixels(pad: HTMLCanvasElement): Float32Array | null {
  const { width, height } = pad;
  const ink = (pad.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)] < 32) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return null;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = BOX / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = SIDE;
  small.height = SIDE;
  const g = small.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  g.fillStyle = '#000';
  g.fillRect(0, 0, SIDE, SIDE);
  g.imageSmoothingQuality = 'high';
  g.drawImage(pad, left, top, w, h, (SIDE - w * scale) / 2, (SIDE - h * scale) / 2, w * scale, h * scale);
  const rgba = g.getImageData(0, 0, SIDE, SIDE).data;
  return Float32Array.from({ length: SIDE * SIDE }, (_, i) => rgba[4 * i] / 255);
}

/** Lets a person draw with the mouse (or a pen, or a finger): thick white strokes; `done` after each stroke. */
export function drawingPad(pad: HTMLCanvasElement, done: () => void): { clear(): void } {
  const g = pad.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  g.strokeStyle = '#fff';
  g.lineWidth = 18;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  let drawing = false;
  const at = (event: PointerEvent): [number, number] => {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) * pad.width) / box.width, ((event.clientY - box.top) * pad.height) / box.height];
  };
  pad.addEventListener('pointerdown', (event) => {
    drawing = true;
    g.beginPath();
    g.moveTo(...at(event));
  });
  pad.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    g.lineTo(...at(event));
    g.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    done();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointerleave', end);
  return { clear };
}
