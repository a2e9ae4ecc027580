import { Injectable } from '@nestjs/common';
import sharp from 'sharp';

export interface Thumbnail {
  data: Buffer;
  /** The original's dimensions, after applying its EXIF orientation. */
  width: number;
  height: number;
}

/** Native image decoding and file sniffing, kept behind one class so services stay pure and testable. */
@Injectable()
export class MediaRepository {
  /** The real type of a file from its first bytes, or null for text-like or unknown content. */
  async detectType(head: Buffer): Promise<string | null> {
    // file-type is ESM-only; a dynamic import keeps the CommonJS build working.
    const { fileTypeFromBuffer } = await import('file-type');
    return (await fileTypeFromBuffer(head))?.mime ?? null;
  }

  /** A WebP no larger than `maxPx` on either side, never enlarged; throws when the bytes are not a decodable image. */
  async thumbnail(image: Buffer, maxPx: number): Promise<Thumbnail> {
    // Guards against decompression bombs: a 25 MB file may still claim billions of pixels.
    const input = sharp(image, { limitInputPixels: 100_000_000, animated: false }).rotate();
    const meta = await input.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    const data = await input.resize(maxPx, maxPx, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
    return { data, width, height };
  }
}
