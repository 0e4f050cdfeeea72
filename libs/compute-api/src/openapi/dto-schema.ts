// class-transformer keeps @Type() metadata here; it exports no accessor of its own.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

export type JsonSchema = Record<string, unknown>;
type Dto = abstract new (...args: never[]) => object;

const JSON_TYPES: Record<string, string> = {
  isString: 'string',
  isInt: 'integer',
  isNumber: 'number',
  isBoolean: 'boolean',
  isArray: 'array',
  isObject: 'object',
};

/**
 * JSON Schemas (OpenAPI 3.1 is JSON Schema 2020-12) of the request DTOs, made
 * from the very class-validator metadata that validates the requests: each
 * class once under `components.schemas`, nested classes (class-transformer's
 * @Type) by reference.
 */
export class DtoSchemas {
  readonly components: Record<string, JsonSchema> = {};
  private readonly names = new Map<Dto, string>();

  /** A schema under a name of its own (the classes take other names). */
  define(name: string, schema: JsonSchema): void {
    if (Object.hasOwn(this.components, name)) {
      throw new Error(`schema ${name} is defined twice`);
    }
    this.components[name] = schema;
  }

  /** A `$ref` to the class's schema, adding it (and what it nests) to the components. */
  ref(cls: Dto): JsonSchema {
    return { $ref: `#/components/schemas/${this.add(cls)}` };
  }

  private add(cls: Dto): string {
    const known = this.names.get(cls);
    if (known) {
      return known;
    }
    let name = cls.name || 'Body';
    for (let i = 2; Object.hasOwn(this.components, name); i++) {
      name = `${cls.name}${i}`;
    }
    this.names.set(cls, name);
    this.components[name] = {}; // placeholder: a class may nest itself
    this.components[name] = this.objectSchema(cls);
    return name;
  }

  private objectSchema(cls: Dto): JsonSchema {
    const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of metas) {
      byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
    }
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    let closed = false;
    for (const [property, list] of byProperty) {
      if (property === '*') {
        closed = true; // bodyClass's unknown-keys check: additionalProperties false
        continue;
      }
      properties[property] = this.propertySchema(cls, property, list);
      if (list.some((m) => m.name === 'isDefined' || m.type === 'isDefined')) {
        required.push(property);
      }
    }
    return {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      ...(closed ? { additionalProperties: false } : {}),
    };
  }

  private propertySchema(cls: Dto, property: string, list: ValidationMetadata[]): JsonSchema {
    const schema: JsonSchema = {};
    const item: JsonSchema = {};
    const types = new Set<string>();
    const formats: string[] = [];
    let nestedRef: JsonSchema | undefined;
    let nestedEach = false;
    for (const m of list) {
      const target = m.each ? item : schema;
      const name = m.name ?? m.type;
      const [c0, c1] = (m.constraints ?? []) as unknown[];
      if (JSON_TYPES[name]) {
        (m.each ? item : schema)['type'] = JSON_TYPES[name];
        if (!m.each) {
          types.add(JSON_TYPES[name]);
        }
      } else if (name.startsWith('type:')) {
        // HasType: the JSON types are in its name ('type:object,null').
        for (const t of name.slice('type:'.length).split(',')) {
          types.add(t);
        }
      } else if (name === 'isIn' && Array.isArray(c0)) {
        target['enum'] = c0;
      } else if (name === 'minLength' || name === 'isLength') {
        target['minLength'] = c0;
        if (name === 'isLength' && c1 !== undefined) {
          target['maxLength'] = c1;
        }
      } else if (name === 'maxLength') {
        target['maxLength'] = c0;
      } else if (name === 'min') {
        target['minimum'] = c0;
      } else if (name === 'max') {
        target['maximum'] = c0;
      } else if (name === 'matches' || name === 'pattern') {
        target['pattern'] = c0 instanceof RegExp ? c0.source : c0;
      } else if (name === 'arrayMinSize') {
        schema['minItems'] = c0;
      } else if (name === 'arrayMaxSize') {
        schema['maxItems'] = c0;
      } else if (name === 'arrayUnique') {
        schema['uniqueItems'] = true;
      } else if (name === 'isUuid' || name === 'isUUID') {
        target['format'] = 'uuid';
      } else if (name.startsWith('format:')) {
        formats.push(name.slice('format:'.length));
      } else if (m.type === 'nestedValidation') {
        const nested = defaultMetadataStorage.findTypeMetadata(cls, property)?.typeFunction();
        if (typeof nested === 'function') {
          nestedRef = this.ref(nested as Dto);
          nestedEach = m.each === true;
        }
      }
    }
    if (nestedRef) {
      if (nestedEach || types.has('array') || schema['type'] === 'array') {
        schema['items'] = nestedRef;
      } else if (types.has('null')) {
        // `{"rescue": null}` or the nested object: the $ref alone would refuse the null.
        schema['anyOf'] = [{ type: 'null' }, nestedRef];
        types.clear();
        delete schema['type'];
      } else {
        Object.assign(schema, nestedRef);
      }
    }
    if (types.size > 1) {
      schema['type'] = [...types];
    } else if (types.size === 1 && schema['type'] === undefined) {
      schema['type'] = [...types][0];
    }
    if (formats.length > 0) {
      schema['format'] = formats.join(',');
    }
    if (Object.keys(item).length > 0) {
      schema['items'] = { ...(schema['items'] ?? {}), ...item };
    }
    return schema;
  }
}
