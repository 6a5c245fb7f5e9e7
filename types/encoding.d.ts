// The WHATWG Encoding API, present in every host the core runs in (browsers, workers, Node).
// Only tsconfig.core.json includes this: it checks that src/core uses no other DOM or Node API.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
