// A line chart of one value per training batch on a canvas, its y axis from `range` or from 0 to the largest value.

export class LineChart {
  private readonly values: number[] = [];
  private readonly context: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly color: string, private readonly range?: [number, number]) {
    this.context = canvas.getContext('2d') as CanvasRenderingContext2D;
  }

  push(value: number): void {
    this.values.push(value);
  }

  draw(): void {
    const { width, height } = this.canvas;
    const g = this.context;
    g.clearRect(0, 0, width, height);
    if (this.values.length < 2) return;
    const [low, high] = this.range ?? [0, Math.max(...this.values)];
    const x = (i: number) => 4 + ((width - 8) * i) / (this.values.length - 1);
    const y = (v: number) => height - 4 - ((height - 8) * (Math.min(Math.max(v, low), high) - low)) / (high - low || 1);
    g.lineWidth = 2;
    g.strokeStyle = this.color;
    g.beginPath();
    this.values.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
    g.stroke();
    g.fillStyle = '#5a6478';
    g.font = '11px system-ui';
    g.fillText(high.toFixed(2), 8, 14);
    g.fillText(low.toFixed(2), 8, height - 8);
    g.fillText(`${this.values.length} batches`, width - 70, height - 8);
  }
}
