import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildEmulatorSchema } from '../../src/emulator/schema.js';
import { realMondaySdl } from '../support/reference.js';

const realSdl = realMondaySdl();

function kindOf(t: GraphQLNamedType): string {
  if (isScalarType(t)) return 'scalar';
  if (isObjectType(t)) return 'object';
  if (isInterfaceType(t)) return 'interface';
  if (isUnionType(t)) return 'union';
  if (isEnumType(t)) return 'enum';
  if (isInputObjectType(t)) return 'input';
  return 'unknown';
}

/** Every way the emulator's schema could accept or answer something the real API would not. */
function subsetProblems(ours: GraphQLSchema, real: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [name, t] of Object.entries(ours.getTypeMap())) {
    if (name.startsWith('__') || isSpecifiedScalarType(t)) continue;
    const r = real.getType(name);
    if (!r) {
      problems.push(`type ${name} is not in the real schema`);
      continue;
    }
    if (kindOf(t) !== kindOf(r)) {
      problems.push(`type ${name} is a ${kindOf(t)} here but a ${kindOf(r)} in the real schema`);
      continue;
    }
    if (isEnumType(t) && isEnumType(r)) {
      for (const v of t.getValues()) if (!r.getValue(v.name)) problems.push(`enum value ${name}.${v.name} missing`);
    }
    if ((isObjectType(t) || isInterfaceType(t)) && (isObjectType(r) || isInterfaceType(r))) {
      const realFields = r.getFields();
      for (const [fname, f] of Object.entries(t.getFields())) {
        const rf = realFields[fname];
        if (!rf) {
          problems.push(`field ${name}.${fname} is not in the real schema`);
          continue;
        }
        if (String(f.type) !== String(rf.type)) problems.push(`field ${name}.${fname}: ${String(f.type)} vs real ${String(rf.type)}`);
        for (const a of f.args) {
          const ra = rf.args.find((x) => x.name === a.name);
          if (!ra) problems.push(`argument ${name}.${fname}(${a.name}) is not in the real schema`);
          else if (String(a.type) !== String(ra.type)) problems.push(`argument ${name}.${fname}(${a.name}): ${String(a.type)} vs real ${String(ra.type)}`);
          else if (JSON.stringify(a.defaultValue) !== JSON.stringify(ra.defaultValue)) problems.push(`argument ${name}.${fname}(${a.name}) default differs`);
        }
        for (const ra of rf.args) {
          if (isNonNullType(ra.type) && ra.defaultValue === undefined && !f.args.some((a) => a.name === ra.name)) {
            problems.push(`required argument ${name}.${fname}(${ra.name}) is missing here`);
          }
        }
      }
      if (isObjectType(t) && isObjectType(r)) {
        const realIfaces = r.getInterfaces().map((i) => i.name);
        for (const i of t.getInterfaces()) if (!realIfaces.includes(i.name)) problems.push(`${name} implements ${i.name} only here`);
      }
    }
    if (isInputObjectType(t) && isInputObjectType(r)) {
      const realFields = r.getFields();
      for (const [fname, f] of Object.entries(t.getFields())) {
        const rf = realFields[fname];
        if (!rf) problems.push(`input field ${name}.${fname} is not in the real schema`);
        else if (String(f.type) !== String(rf.type)) problems.push(`input field ${name}.${fname}: ${String(f.type)} vs real ${String(rf.type)}`);
      }
      for (const [fname, rf] of Object.entries(realFields)) {
        if (isNonNullType(rf.type) && rf.defaultValue === undefined && !t.getFields()[fname]) {
          problems.push(`required input field ${name}.${fname} is missing here`);
        }
      }
    }
  }
  return problems;
}

describe('emulator schema', () => {
  it('is a subset of the real monday.com 2026-10 schema', () => {
    const real = buildSchema(realSdl);
    expect(subsetProblems(buildEmulatorSchema(), real)).toEqual([]);
  });

  it('catches a field the real schema lacks', () => {
    const real = buildSchema(realSdl);
    const bogus = buildSchema('type Query { boards(ids: [ID!], shiny: Int): [Board] } type Board { id: ID! pos: String }');
    expect(subsetProblems(bogus, real)).toEqual([
      'argument Query.boards(shiny) is not in the real schema',
      'field Board.pos is not in the real schema',
    ]);
  });
});
