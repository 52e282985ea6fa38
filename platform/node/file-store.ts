import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ModelStore } from '../../models/io/stores.ts';
import { hasScheme } from '../../models/io/stores.ts';
import { saveModel } from '../../models/save.ts';
import { readDataFile } from '../../models/serialization/files.ts';

/** Plain paths: a directory on Node's file system, saved crash-safely (models/save.ts) and read back checked. */
export const fileStore: ModelStore = {
  name: 'directories',
  accepts: (location) => !hasScheme(location),
  save: saveModel,
  open: (dir) => ({
    where: (file) => join(dir, file),
    readText: (file) => fs.readFile(join(dir, file), 'utf8'),
    readData: (file, expected) => readDataFile(dir, file, expected),
  }),
};
