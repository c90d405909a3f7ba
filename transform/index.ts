/** The transform compiler: JSONata compiled to JavaScript, with the interpreter as fallback. */
export { compileTransform, type CompiledTransform } from './compile-transform.js'
export type { TransformOptions } from './limits.js'
