import * as parser from 'socket.io-parser';
import { jsonLimitViolation, type JsonLimits } from '@/core/json-limits';

/**
 * socket.io's own packet parser with the JSON bounds of HTTP bodies checked before each text packet is parsed. A
 * packet past them throws, and socket.io closes that connection: the event is never parsed, let alone handled.
 */
export function boundedParser(limits: JsonLimits) {
  class BoundedDecoder extends parser.Decoder {
    override add(packet: unknown): void {
      if (typeof packet === 'string') {
        const violation = jsonLimitViolation(packet, limits);
        if (violation) throw new Error(`socket payload refused: ${violation}`);
      }
      super.add(packet);
    }
  }
  return { Encoder: parser.Encoder, Decoder: BoundedDecoder, protocol: parser.protocol, PacketType: parser.PacketType };
}
