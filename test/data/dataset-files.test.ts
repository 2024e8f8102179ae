// readDataset through a plugged-in reader (what the browser does with fetch): the same checks, errors naming the source.
import { describe, expect, it } from 'vitest';
import { DATASETS, type DatasetFile } from '../../src/data/datasets.js';
import { readDataset, type DataFileReader } from '../../src/data/dataset-files.js';
import { encodeIdx } from '../../src/data/idx.js';
import { imagesArray, indexedDigits, labelsArray } from '../helpers/digit-files.js';

const { files } = DATASETS.mnist;
const BASE = 'https://lab.example/data/mnist/';

/** An in-memory reader over the four files, with `change` applied to one of them. */
function memoryReader(change: Partial<Record<string, Uint8Array | null>> = {}): { read: DataFileReader; asked: string[] } {
  const bytes: Record<string, Uint8Array> = {
    [files.trainImages.name]: encodeIdx(imagesArray(indexedDigits(20))),
    [files.trainLabels.name]: encodeIdx(labelsArray(indexedDigits(20))),
    [files.testImages.name]: encodeIdx(imagesArray(indexedDigits(8))),
    [files.testLabels.name]: encodeIdx(labelsArray(indexedDigits(8))),
  };
  const asked: string[] = [];
  const read = async (file: DatasetFile) => {
    asked.push(file.name);
    const content = file.name in change ? change[file.name] : bytes[file.name];
    if (content === null || content === undefined) throw new Error(`${BASE}${file.name}.gz: HTTP 404`);
    return { source: `${BASE}${file.name}.gz`, bytes: content };
  };
  return { read, asked };
}

describe('readDataset', () => {
  it('reads the four catalogue files through the reader into limited digit sets', async () => {
    const { read, asked } = memoryReader();
    const data = await readDataset({ dataset: 'mnist', read, from: BASE, limit: 5 });
    expect(asked.sort()).toEqual(Object.values(files).map((f) => f.name).sort());
    expect(data.dir).toBe(BASE);
    expect(data.train.count).toBe(5);
    expect(data.train.images).toEqual(indexedDigits(5).images);
    expect(data.test.labels).toEqual(indexedDigits(8).labels);
  });

  it('names the source URL when counts disagree, a file is not images, or a checksum is wrong', async () => {
    const fewer = memoryReader({ [files.testLabels.name]: encodeIdx(labelsArray(indexedDigits(7))) });
    await expect(readDataset({ dataset: 'mnist', read: fewer.read, from: BASE })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: `${BASE}t10k-images-idx3-ubyte.gz holds 8 images but ${BASE}t10k-labels-idx1-ubyte.gz holds 7 labels; the counts must match`,
    });
    const swapped = memoryReader({ [files.trainImages.name]: encodeIdx(labelsArray(indexedDigits(20))) });
    await expect(readDataset({ dataset: 'mnist', read: swapped.read, from: BASE })).rejects.toMatchObject({
      code: 'BAD_DATA_FILE',
      message: expect.stringContaining(`${BASE}train-images-idx3-ubyte.gz: images must be uint8 [count, 28, 28]`),
    });
    // The fixtures are not the real MNIST files, so verification fails on the first file it hashes.
    await expect(readDataset({ dataset: 'mnist', read: memoryReader().read, from: BASE, verify: true })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(new RegExp(`^${BASE}\\S+-ubyte\\.gz: SHA-256 of the decompressed data is`)),
    });
  });

  it('passes the reader’s own error through', async () => {
    const missing = memoryReader({ [files.trainLabels.name]: null });
    await expect(readDataset({ dataset: 'mnist', read: missing.read, from: BASE })).rejects.toThrow(`${BASE}train-labels-idx1-ubyte.gz: HTTP 404`);
  });
});
