'use strict'
// Schemas as the core takes them (JSON Schema text): plain JSON Schema objects as they are,
// zod schemas (a schema or a raw shape such as `{ a: z.number() }`) through zod's own JSON
// Schema export. zod is optional: it is looked up from the application, then from here.

const path = require('node:path')
const { invalid } = require('./errors')

/** Whether `s` is a zod schema (zod 4, or zod 3.25+'s "zod/v4"). */
const isZod = (s) => s !== null && typeof s === 'object' && ('_zod' in s || '_def' in s)

const isPlainObject = (s) => s !== null && typeof s === 'object' && Object.getPrototypeOf(s) === Object.prototype

/** Whether `s` is a zod raw shape: a plain object whose values are all zod schemas. */
const isRawShape = (s) => isPlainObject(s) && Object.keys(s).length > 0 && Object.values(s).every(isZod)

let zodModule
/** The application's zod (with a JSON Schema export), else ours; an error when none. */
function zod() {
  if (zodModule) return zodModule
  const from = [require.main && require.main.path, process.cwd(), __dirname].filter(Boolean)
  for (const name of ['zod/v4', 'zod']) {
    for (const dir of from) {
      try {
        const z = require(require.resolve(name, { paths: [dir, path.join(dir, 'node_modules')] }))
        if (typeof z.toJSONSchema === 'function' && typeof z.object === 'function') {
          zodModule = z
          return z
        }
      } catch {
        // Not there: try the next place.
      }
    }
  }
  throw invalid('a zod schema was given but zod 4 (or zod 3.25+ with "zod/v4") is not installed: npm install zod')
}

/**
 * A schema as `{ json, parse }`: JSON Schema text for the core, and for zod schemas a
 * function returning `{ ok, value | message }` (zod's own parsing, with its defaults and
 * transforms). `what` names the schema in errors.
 */
function toSchema(schema, what) {
  if (isRawShape(schema)) schema = zod().object(schema)
  if (isZod(schema)) {
    if (!('_zod' in schema)) throw invalid(`${what}: zod 3 schemas are not supported; use zod 4 (or "zod/v4")`)
    const json = zod().toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
    delete json.$schema
    const parse = (value) => {
      const r = schema.safeParse(value)
      if (r.success) return { ok: true, value: r.data }
      const issues = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      return { ok: false, message: issues.join('; ') }
    }
    return { json: JSON.stringify(json), parse, jsonSchema: json }
  }
  if (!isPlainObject(schema)) throw invalid(`${what}: expected a JSON Schema object or a zod schema`)
  return { json: JSON.stringify(schema), parse: null, jsonSchema: schema }
}

/**
 * Prompt arguments from an `argsSchema` (JSON Schema object with string properties, or
 * zod) or a list of `{ name, description?, required? }`.
 */
function promptArguments(config, what) {
  if (config.arguments !== undefined) {
    if (!Array.isArray(config.arguments)) throw invalid(`${what}: arguments must be an array`)
    return { arguments: config.arguments.map((a) => ({ ...a })), parse: null }
  }
  if (config.argsSchema === undefined) return { arguments: [], parse: null }
  const { jsonSchema, parse } = toSchema(config.argsSchema, `${what}: argsSchema`)
  const required = new Set(Array.isArray(jsonSchema.required) ? jsonSchema.required : [])
  const properties = jsonSchema.properties || {}
  const args = Object.entries(properties).map(([name, p]) => ({
    name,
    description: p && typeof p.description === 'string' ? p.description : undefined,
    required: required.has(name),
  }))
  return { arguments: args, parse }
}

module.exports = { toSchema, promptArguments, isPlainObject }
