// Handing memory back: after a burst of allocations is dropped, releaseFreeMemory() collects it and returns the C
// allocator's free pages to the system, also those held between survivors, which a garbage collection alone keeps.
import { expect, it } from 'vitest';
import { describeNative, nativeAddon } from '../../helpers/native-reference.js';

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

describeNative('releaseFreeMemory', () => {
  it('returns a dropped burst of small buffers to the system although every sixteenth survives', () => {
    const addon = nativeAddon();
    addon.releaseFreeMemory();
    const before = rssMb();
    // About 270 MB of images of 1-8 digits (3-25 KB each: malloc'd, below glibc's mmap threshold).
    let burst: Float32Array[] = Array.from({ length: 20_000 }, (_, i) => new Float32Array(784 * (1 + (i % 8))));
    const grown = rssMb() - before;
    expect(grown, 'the burst itself raised RSS').toBeGreaterThan(200);
    // Survivors spread through the heap, so glibc cannot just shorten it: only a trim of its inside can help.
    const survivors = burst.filter((_, i) => i % 16 === 0);
    burst = [];
    expect(addon.releaseFreeMemory()).toBe(true);
    const kept = rssMb() - before;
    expect(kept, `RSS kept ${kept.toFixed(0)} of the burst's ${grown.toFixed(0)} MB`).toBeLessThan(grown / 4);
    expect(survivors.every((a) => a.length % 784 === 0)).toBe(true);
  });
});
