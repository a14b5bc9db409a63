/**
 * `npm run schema:check [-- --api-version YYYY-MM]`: validates every document ordersync sends
 * (src/monday/documents.ts reads, the mutation batch of every template in batch.ts) against the
 * vendored SDL of that API version, and prints each schema field, argument and input type they
 * use with its type there. Vendor the next version (npm run schema:vendor), run this for both
 * and diff the two reports: that is the upgrade's review list. Exits 1 when a document does not
 * validate.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  TypeInfo,
  getNamedType,
  isInputObjectType,
  parse,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLInputObjectType,
  type GraphQLSchema,
} from 'graphql';
import { mondaySchema, MONDAY_API_VERSION } from '../src/emulator/api-schema.js';
import { buildMutationBatch, type MutationOp } from '../src/monday/batch.js';
import * as documents from '../src/monday/documents.js';

export interface SentDocument {
  name: string;
  text: string;
}

/** Every document the client can send: the read constants, and one batch using every template argument. */
export function sentDocuments(): SentDocument[] {
  const reads = Object.entries(documents as Record<string, unknown>)
    .filter((e): e is [string, string] => e[0].endsWith('_QUERY') && typeof e[1] === 'string')
    .map(([name, text]) => ({ name, text }));
  const ops = Object.entries(documents.MUTATION_TEMPLATES).map(
    ([kind, t]) => ({ kind, ...Object.fromEntries(Object.keys(t.args).map((a) => [a, 'x'])) }) as unknown as MutationOp,
  );
  return [...reads, { name: 'MUTATION_BATCH', text: buildMutationBatch(ops).query }];
}

export interface UsageReport {
  version: string;
  errors: string[];
  /** Sorted lines, one per field, argument or input type used; stable so two versions diff cleanly. */
  lines: string[];
}

function inputLines(t: GraphQLInputObjectType, seen: Set<string>, out: string[]): void {
  if (seen.has(t.name)) return;
  seen.add(t.name);
  for (const f of Object.values(t.getFields())) {
    out.push(`input ${t.name}.${f.name}: ${String(f.type)}${f.deprecationReason !== undefined ? ' (deprecated)' : ''}`);
    const named = getNamedType(f.type);
    if (isInputObjectType(named)) inputLines(named, seen, out);
  }
}

export function schemaUsage(schema: GraphQLSchema, version: string, docs: readonly SentDocument[] = sentDocuments()): UsageReport {
  const errors: string[] = [];
  const used = new Map<string, Set<string>>();
  const note = (line: string, doc: string) => {
    if (!used.has(line)) used.set(line, new Set());
    used.get(line)!.add(doc);
  };
  const inputs: string[] = [];
  const seenInputs = new Set<string>();
  for (const doc of docs) {
    const ast = parse(doc.text);
    for (const e of validate(schema, ast)) errors.push(`${doc.name}: ${e.message}`);
    const info = new TypeInfo(schema);
    visit(
      ast,
      visitWithTypeInfo(info, {
        Field() {
          const parent = info.getParentType();
          const field = info.getFieldDef();
          if (!parent || !field || field.name.startsWith('__')) return;
          note(`${parent.name}.${field.name}: ${String(field.type)}${field.deprecationReason !== undefined ? ' (deprecated)' : ''}`, doc.name);
        },
        Argument() {
          const parent = info.getParentType();
          const field = info.getFieldDef();
          const arg = info.getArgument();
          if (!parent || !field || !arg || info.getDirective()) return;
          note(`${parent.name}.${field.name}(${arg.name}): ${String(arg.type)}`, doc.name);
        },
        VariableDefinition() {
          const named = getNamedType(info.getInputType() ?? undefined);
          if (named && isInputObjectType(named)) inputLines(named, seenInputs, inputs);
        },
      }),
    );
  }
  const lines = [...used].map(([line, by]) => `${line}  <- ${[...by].sort().join(', ')}`);
  return { version, errors, lines: [...lines, ...inputs].sort() };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'api-version': { type: 'string', default: MONDAY_API_VERSION } } });
  const version = values['api-version'];
  const report = schemaUsage(mondaySchema(version), version);
  console.log(`# monday API ${version}: fields, arguments and input types used by ordersync's documents`);
  for (const line of report.lines) console.log(line);
  if (report.errors.length > 0) {
    console.error(`\n${report.errors.length} document error(s) against ${version}:`);
    for (const e of report.errors) console.error(`  ${e}`);
    return 1;
  }
  console.error(`\nall ${sentDocuments().length} documents validate against ${version}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
