// Resizing a batch of gray images (MNIST-family digits to the model's input size) with sharp.
import sharp from 'sharp';

/** Resizes `count` gray from×from images to to×to (bilinear-ish, sharp's default lanczos). */
export async function resizeGrayBatch(images: Uint8Array, count: number, from: number, to: number): Promise<Uint8Array> {
  const out = new Uint8Array(count * to * to);
  for (let i = 0; i < count; i++) {
    const src = images.subarray(i * from * from, (i + 1) * from * from);
    const buf = await sharp(src, { raw: { width: from, height: from, channels: 1 } })
      .resize(to, to, { fit: 'fill' })
      .raw()
      .toBuffer();
    out.set(buf.subarray(0, to * to), i * to * to);
  }
  return out;
}
