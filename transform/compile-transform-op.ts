/** The transform operator `| pattern | update [, delete] |` on the fast path. */
import jsonata from 'jsonata'
import { apply, type Code, type Native, type Signature } from './apply.js'
import type { Compiler, Node } from './compile-context.js'
import { isFunction, state, tick } from './runtime.js'

/**
 * The transform operator's signature `<(oa):o>`, parsed once.
 * Outlives evaluations: jsonata's signature objects are immutable; the validation memo keyed on it
 * is sound for any signature (apply.ts `validate`).
 */
let transformSignature: Signature | undefined

/**
 * The transform operator `| pattern | update [, delete] |` (jsonata's evaluateTransformExpression):
 * a function that clones its argument with `$clone`, then merges `update` into and deletes the
 * `delete` keys from every object `pattern` selects in the copy.
 */
export function compileTransformOp(c: Compiler, node: Node, depth: number): Code {
  const pattern = c.node(node.pattern as Node, depth + 1)
  const update = c.node(node.update as Node, depth + 1)
  const del = node.delete !== undefined ? c.node(node.delete as Node, depth + 1) : undefined
  const updatePosition = (node.update as Node).position
  const deletePosition = (node.delete as Node | undefined)?.position
  const position = node.position
  transformSignature ??= (jsonata('function($o)<(oa):o>{0}').ast() as unknown as { signature: Signature }).signature
  const signature = transformSignature
  return (_input, env) => {
    const transformer = (obj: unknown): unknown => {
      if (obj === undefined) return undefined
      const clone = env.lookup('clone')
      if (!isFunction(clone)) throw { code: 'T2013', position }
      const result = apply(clone, [obj], null, state.depth + depth)
      let matches = pattern(result, env)
      if (matches === undefined) return result
      if (!Array.isArray(matches)) matches = [matches]
      for (const match of matches as Record<string, unknown>[]) {
        tick()
        const u = update(match, env)
        if (u !== undefined) {
          if (typeof u !== 'object' || u === null || Array.isArray(u)) throw { code: 'T2011', position: updatePosition, value: u }
          for (const prop of Object.keys(u)) match[prop] = (u as Record<string, unknown>)[prop]
        }
        if (del !== undefined) {
          let deletions = del(match, env)
          if (deletions !== undefined) {
            const value = deletions
            if (!Array.isArray(deletions)) deletions = [deletions]
            if (!(deletions as unknown[]).every((d) => typeof d === 'string')) throw { code: 'T2012', position: deletePosition, value }
            for (const d of deletions as string[]) if (typeof match === 'object' && match !== null) delete match[d]
          }
        }
      }
      return result
    }
    const native: Native = { _jsonata_function: true, implementation: transformer, signature, hof: true }
    return native
  }
}

