// scripts/build.mjs assembles an imported .wat file and gives its WebAssembly module as bytes.
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
