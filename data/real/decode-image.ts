// Decoding one image file (JPEG, PNG, …) with sharp into size×size pixels of 1 or 3 channels.
import sharp from 'sharp';

/**
 * Decodes an image file and brings it to size×size with the paper's eval transform scaled
 * down: resize the shorter side to size·256/224, then centre-crop size×size. Alpha is
 * flattened onto white. Returns HWC bytes with `channels` channels (gray → RGB by repetition,
 * RGB → gray by Rec. 601 luma on the stored values, as everywhere in data/).
 */
export async function decodeImageFile(file: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const resized = Math.max(size, Math.round((size * 256) / 224));
  let pipeline = sharp(file, { failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(resized, resized, { fit: 'outside', kernel: 'lanczos3' });
  const meta = await pipeline.clone().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = meta.info;
  pipeline = sharp(meta.data, { raw: { width, height, channels: meta.info.channels } }).extract({
    left: Math.floor((width - size) / 2),
    top: Math.floor((height - size) / 2),
    width: size,
    height: size,
  });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return toChannels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.channels, channels);
}

export function toChannels(pixels: Uint8Array, from: number, to: 1 | 3): Uint8Array {
  if (from === to) return pixels;
  const n = pixels.length / from;
  const out = new Uint8Array(n * to);
  for (let i = 0; i < n; i++) {
    if (to === 3) {
      const v = pixels[i * from]!;
      out[i * 3] = v;
      out[i * 3 + 1] = from >= 3 ? pixels[i * from + 1]! : v;
      out[i * 3 + 2] = from >= 3 ? pixels[i * from + 2]! : v;
    } else {
      out[i] =
        from >= 3
          ? Math.round(0.299 * pixels[i * from]! + 0.587 * pixels[i * from + 1]! + 0.114 * pixels[i * from + 2]!)
          : pixels[i * from]!;
    }
  }
  return out;
}
