// SHA-256 with WebCrypto (the module the browser shares): known vectors, node:crypto as the oracle, named mismatches.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSha256, sha256Hex } from '../../src/data/verify.js';

describe('sha256Hex / checkSha256', () => {
  it('gives the FIPS 180-2 digests and agrees with node:crypto on views into larger buffers', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const buffer = randomBytes(100_003);
    const view = buffer.subarray(17, 90_017); // a view, as parseIdx and gunzip hand out
    expect(await sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('rejects other bytes with CHECKSUM_MISMATCH naming the source, both digests and the catalogue name', async () => {
    const bytes = new TextEncoder().encode('abc');
    const file = { name: 'train-labels-idx1-ubyte', sha256: createHash('sha256').update(bytes).digest('hex') };
    await expect(checkSha256(bytes, file, 'data/mnist/x.gz')).resolves.toBeUndefined();
    const other = new TextEncoder().encode('abd');
    await expect(checkSha256(other, file, 'data/mnist/x.gz')).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: `data/mnist/x.gz: SHA-256 of the decompressed data is ${createHash('sha256').update(other).digest('hex')}, expected ${file.sha256} (train-labels-idx1-ubyte)`,
    });
  });
});
