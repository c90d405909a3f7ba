/**
 * rtds as a library: the DSL loader and the engine, the connectors and the transform compiler.
 */
export * from './dsl/index.js'
export { compileTransform, type CompiledTransform } from './transform/index.js'
export * from './runner/index.js'
