import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ModelStore } from '../../models/io/stores.ts';
import { hasScheme } from '../../models/io/stores.ts';
import { saveModel } from '../../models/save.ts';
import { readDataFile } from '../../models/serialization/files.ts';
import { asFileError } from '../../models/serialization/file-error.ts';

/** Plain paths: a directory on Node's file system, saved crash-safely (models/save.ts) and read back checked. */
export const fileStore: ModelStore = {
  name: 'directories',
  accepts: (location) => !hasScheme(location),
  save: saveModel,
  open: (dir, who) => ({
    where: (file) => join(dir, file),
    readText: (file) => fs.readFile(join(dir, file), 'utf8').catch(async (error: unknown) => {
      throw await asFileError(error, who, 'load', dir, join(dir, file));
    }),
    readData: (file, expected) => readDataFile(dir, file, expected, who),
  }),
};
