#!/usr/bin/env node
// Checks captured HubSpot exchanges against the models of HubSpot's published Node.js client (@hubspot/api-client,
// pinned in package.json).
//
//   node check.mjs EXCHANGES.json
//
// EXCHANGES.json is a list of {operation, method, path, requestBody, responseStatus, responseBody}. A body is the
// JSON value that was sent, null (or absent) when there was none, or a string holding the raw body text, which must
// then parse as JSON.
//
// Nothing about HubSpot's API is written down here. The endpoint table is read from the client's generated API
// classes (lib/codegen/crm/**/apis/*.js): for each operation its path template, HTTP method, the model its request
// body is serialised as, and the model each documented status code is deserialised as. The models are the client's
// own classes: their attributeTypeMap gives each property's JSON name and type, their .d.ts declarations say which
// properties are required (no `?`), and the enums they export give the allowed values.
//
// Each exchange is checked strictly: a property the model does not define, a wrong JSON type, a date-time that is
// not ISO 8601, a value outside an enum, a missing required property, a body where the operation takes none (or
// none where it takes one), a query parameter the operation does not declare, a status the operation does not
// declare, and a path or method the client has no operation for are all failures. Error statuses (4xx, 5xx) are
// checked against the client's Error model (the generator names it ModelError). Where several operations fit a
// path, the one with the most literal segments is taken (/crm/v3/objects/notes before /crm/v3/objects/{objectType}).
//
// Prints one line per exchange (details of a failure indented below it), then
// `hubspot conformance: N passed, M failed`. Exits 0 only when every exchange passed; 1 on a failure; 2 when the
// input cannot be read.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));

const sdkRoot = path.resolve(path.dirname(require.resolve('@hubspot/api-client')), '..');
const sdkVersion = JSON.parse(fs.readFileSync(path.join(sdkRoot, 'package.json'), 'utf8')).version;
const crmRoot = path.join(sdkRoot, 'lib', 'codegen', 'crm');

// ---------------------------------------------------------------------------------------------------------------
// The endpoint table, from the generated API classes

/** Every directory under lib/codegen/crm that has apis/ and models/ beside each other: one generated client. */
function clientModules(dir, found = []) {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    const names = new Set(entries.filter(e => e.isDirectory()).map(e => e.name));
    if (names.has('apis') && names.has('models')) {
        found.push(dir);
    }
    for (const name of names) {
        if (name !== 'apis' && name !== 'models') {
            clientModules(path.join(dir, name), found);
        }
    }
    return found;
}

/** Splits generated class text into its methods: `    name(args) {` up to the next such line. */
function methods(text, header) {
    const starts = [...text.matchAll(header)];
    return starts.map((m, i) => ({
        name: m[1],
        body: text.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : text.length),
    }));
}

function parseApiFile(moduleDir, file) {
    const text = fs.readFileSync(file, 'utf8');
    const processorAt = text.search(/^class \w+ResponseProcessor \{/m);
    if (processorAt < 0) {
        return [];
    }
    const factory = text.slice(0, processorAt);
    const processor = text.slice(processorAt);

    const responses = new Map();
    for (const m of methods(processor, /^ {4}(\w+)WithHttpInfo\(response\) \{$/gm)) {
        const declared = [];
        const codeRe = /isCodeInRange\)\("([^"]+)", response\.httpStatusCode\)\) \{\n([^\n]*)/g;
        for (const c of m.body.matchAll(codeRe)) {
            const line = c[2];
            const type = /contentType\), "([^"]+)", "[^"]*"\)/.exec(line);
            if (type) {
                declared.push({ code: c[1], type: type[1] });
            } else if (/response\.body, undefined\)/.test(line)) {
                declared.push({ code: c[1], type: 'void' });
            } else {
                declared.push({ code: c[1], type: null, unreadable: line.trim() });
            }
        }
        responses.set(m.name, declared);
    }

    const api = path.basename(file, '.js');
    const operations = [];
    for (const m of methods(factory, /^ {4}(\w+)\([^)]*\) \{$/gm)) {
        const template = /const localVarPath = '([^']+)'/.exec(m.body);
        const method = /HttpMethod\.(\w+)/.exec(m.body);
        if (!template || !method) {
            continue;
        }
        // the body is what is stringified; query parameters are serialised too, but not stringified
        const serialized = /ObjectSerializer\.stringify\(ObjectSerializer_1\.ObjectSerializer\.serialize\(\w+, "([^"]+)", "[^"]*"\)/.exec(m.body);
        const query = [...m.body.matchAll(/(?:setQueryParam|appendQueryParam)\("([^"]+)"/g)].map(q => q[1]);
        const form = /canConsumeForm\(/.test(m.body);
        operations.push({
            client: path.relative(crmRoot, moduleDir).split(path.sep).join('/'),
            moduleDir,
            sdkOperation: `${api}.${m.name}`,
            template: template[1],
            segments: template[1].split('/').filter(Boolean),
            method: method[1].toUpperCase(),
            requestType: form ? 'multipart/form-data' : serialized ? serialized[1] : null,
            query: [...new Set(query)],
            responses: responses.get(m.name) || [],
        });
    }
    return operations;
}

function endpointTable() {
    const table = [];
    for (const moduleDir of clientModules(crmRoot)) {
        const apisDir = path.join(moduleDir, 'apis');
        for (const name of fs.readdirSync(apisDir)) {
            if (name.endsWith('Api.js') && name !== 'baseapi.js') {
                table.push(...parseApiFile(moduleDir, path.join(apisDir, name)));
            }
        }
    }
    return table;
}

const ENDPOINTS = endpointTable();

/** The client operation for a method and path: the template with the most literal segments wins. */
function findOperation(method, rawPath) {
    const segments = rawPath.split('?')[0].split('/').filter(Boolean);
    const shapeMatches = ENDPOINTS.filter(op => op.segments.length === segments.length
        && op.segments.every((s, i) => /^\{\w+\}$/.test(s) || s === segments[i]));
    const matches = shapeMatches.filter(op => op.method === method);
    if (matches.length === 0) {
        const methods = [...new Set(shapeMatches.map(op => op.method))];
        return {
            error: methods.length === 0
                ? `the client has no operation for the path ${rawPath}`
                : `the client has no ${method} operation for ${rawPath} (it has ${methods.join(', ')})`,
        };
    }
    const literals = op => op.segments.filter(s => !/^\{\w+\}$/.test(s)).length;
    const best = Math.max(...matches.map(literals));
    const top = matches.filter(op => literals(op) === best);
    const signature = op => JSON.stringify([op.requestType, op.responses]);
    if (new Set(top.map(signature)).size > 1) {
        return {
            error: `${method} ${rawPath} matches several client operations that disagree: `
                + top.map(op => `${op.client} ${op.sdkOperation} (${op.template})`).join(', '),
        };
    }
    return { operation: top[0] };
}

// ---------------------------------------------------------------------------------------------------------------
// The models

const modelCache = new Map();

/** A client module's models: classes and enums as exported, and each class's required properties from its .d.ts. */
function models(moduleDir) {
    if (!modelCache.has(moduleDir)) {
        const exported = require(path.join(moduleDir, 'models', 'all.js'));
        modelCache.set(moduleDir, { dir: path.join(moduleDir, 'models'), exported, required: new Map() });
    }
    return modelCache.get(moduleDir);
}

/** Property names (the class's, not the JSON's) declared without `?` in the model's .d.ts. */
function requiredProperties(module, className) {
    if (!module.required.has(className)) {
        const file = path.join(module.dir, `${className}.d.ts`);
        const text = fs.readFileSync(file, 'utf8');
        const start = text.indexOf(`export declare class ${className} {`);
        if (start < 0) {
            throw new Error(`${file} declares no class ${className}`);
        }
        const body = text.slice(start, text.indexOf('\n}', start));
        const required = new Set();
        for (const m of body.matchAll(/^ {4}'([^']+)'(\??):/gm)) {
            if (m[2] !== '?') {
                required.add(m[1]);
            }
        }
        module.required.set(className, required);
    }
    return module.required.get(className);
}

/** The generator names the schema `Error` ModelError; every other schema keeps its name. */
function resolveType(module, name) {
    const value = module.exported[name] ?? (name === 'Error' ? module.exported.ModelError : undefined);
    const className = module.exported[name] ? name : 'ModelError';
    if (typeof value === 'function' && Array.isArray(value.attributeTypeMap)) {
        return { kind: 'class', cls: value, className };
    }
    if (value && typeof value === 'object') {
        return { kind: 'enum', values: Object.values(value) };
    }
    return null;
}

/** Splits `A | B` at the top level (not inside <> or {}). */
function alternatives(type) {
    const parts = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < type.length; i++) {
        const c = type[i];
        if (c === '<' || c === '{') depth++;
        else if (c === '>' || c === '}') depth--;
        else if (depth === 0 && type.startsWith(' | ', i)) {
            parts.push(type.slice(start, i));
            start = i + 3;
        }
    }
    parts.push(type.slice(start));
    return parts.map(p => p.trim());
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function jsonType(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    return typeof value;
}

function isPlainObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Appends to `errors` every way `value` at `where` is not the client type `type` (with its `format`). */
function validate(module, value, type, format, where, errors) {
    const alts = alternatives(type);
    if (alts.length > 1) {
        const tries = alts.map(alt => {
            const found = [];
            validate(module, value, alt, format, where, found);
            return found;
        });
        if (!tries.some(found => found.length === 0)) {
            errors.push(`${where}: ${JSON.stringify(value)} is none of ${type}`);
        }
        return;
    }
    if (type === 'any') {
        return;
    }
    if (type === 'null') {
        if (value !== null) errors.push(`${where}: expected null, got ${jsonType(value)}`);
        return;
    }
    if (value === null) {
        errors.push(`${where}: null where the client declares ${type}`);
        return;
    }
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
        if (!Array.isArray(value)) {
            errors.push(`${where}: expected an array (${type}), got ${jsonType(value)}`);
            return;
        }
        value.forEach((item, i) => validate(module, item, array[1], '', `${where}[${i}]`, errors));
        return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
        if (!isPlainObject(value)) {
            errors.push(`${where}: expected an object (${type}), got ${jsonType(value)}`);
            return;
        }
        for (const [key, item] of Object.entries(value)) {
            validate(module, item, map[1], '', `${where}.${key}`, errors);
        }
        return;
    }
    switch (type) {
        case 'string':
            if (typeof value !== 'string') {
                errors.push(`${where}: expected a string, got ${jsonType(value)} ${JSON.stringify(value)}`);
            } else if (format === 'uuid' && !UUID.test(value)) {
                errors.push(`${where}: ${JSON.stringify(value)} is not a UUID`);
            }
            return;
        case 'boolean':
            if (typeof value !== 'boolean') errors.push(`${where}: expected a boolean, got ${jsonType(value)} ${JSON.stringify(value)}`);
            return;
        case 'number':
            if (typeof value !== 'number' || !Number.isFinite(value)) {
                errors.push(`${where}: expected a number, got ${jsonType(value)} ${JSON.stringify(value)}`);
            } else if ((format === 'int32' || format === 'int64') && !Number.isInteger(value)) {
                errors.push(`${where}: expected an integer (${format}), got ${value}`);
            } else if (format === 'int32' && (value < -2147483648 || value > 2147483647)) {
                errors.push(`${where}: ${value} is out of int32 range`);
            }
            return;
        case 'Date':
            if (typeof value !== 'string') {
                errors.push(`${where}: expected a date-time string, got ${jsonType(value)} ${JSON.stringify(value)}`);
            } else if (format === 'date' ? !ISO_DATE.test(value) : !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
                errors.push(`${where}: ${JSON.stringify(value)} is not an ISO 8601 ${format === 'date' ? 'date' : 'date-time'}`);
            }
            return;
        default:
            break;
    }
    const resolved = resolveType(module, type);
    if (!resolved) {
        errors.push(`${where}: the client names the type ${type}, which this checker cannot resolve`);
        return;
    }
    if (resolved.kind === 'enum') {
        if (!resolved.values.includes(value)) {
            errors.push(`${where}: ${JSON.stringify(value)} is not one of ${type} (${resolved.values.join(', ')})`);
        }
        return;
    }
    const { cls, className } = resolved;
    if (cls.discriminator) {
        errors.push(`${where}: ${className} is polymorphic (discriminator ${cls.discriminator}); this checker does not check such types`);
        return;
    }
    if (!isPlainObject(value)) {
        errors.push(`${where}: expected an object (${className}), got ${jsonType(value)} ${JSON.stringify(value)}`);
        return;
    }
    const attributes = cls.attributeTypeMap;
    const byJsonName = new Map(attributes.map(a => [a.baseName, a]));
    for (const key of Object.keys(value)) {
        if (!byJsonName.has(key)) {
            errors.push(`${where}.${key}: ${className} defines no property '${key}' (it has ${attributes.map(a => a.baseName).join(', ')})`);
        }
    }
    const required = requiredProperties(module, className);
    for (const a of attributes) {
        if (Object.prototype.hasOwnProperty.call(value, a.baseName)) {
            validate(module, value[a.baseName], a.type, a.format, `${where}.${a.baseName}`, errors);
        } else if (required.has(a.name)) {
            errors.push(`${where}.${a.baseName}: required by ${className}, missing`);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Exchanges

/** A captured body as a JSON value, or undefined when there was none. */
function bodyOf(raw, what, errors) {
    if (raw === undefined || raw === null || raw === '') {
        return undefined;
    }
    if (typeof raw !== 'string') {
        return raw;
    }
    try {
        return JSON.parse(raw);
    } catch (e) {
        errors.push(`${what} is not JSON: ${raw.length > 80 ? raw.slice(0, 80) + '...' : raw}`);
        return undefined;
    }
}

function isCodeInRange(range, code) {
    const text = String(code);
    return range === '0' || range === text
        || (range.length === text.length && [...range].every((c, i) => c === 'X' || c === text[i]));
}

function checkExchange(exchange) {
    const errors = [];
    const method = String(exchange.method || '').toUpperCase();
    const rawPath = String(exchange.path || '');
    const found = findOperation(method, rawPath);
    if (found.error) {
        return { errors: [found.error], described: 'no client operation' };
    }
    const op = found.operation;
    const module = models(op.moduleDir);

    const queryAt = rawPath.indexOf('?');
    if (queryAt >= 0) {
        for (const name of new URLSearchParams(rawPath.slice(queryAt + 1)).keys()) {
            if (!op.query.includes(name)) {
                errors.push(`request: ${op.sdkOperation} takes no query parameter '${name}' (it takes ${op.query.join(', ') || 'none'})`);
            }
        }
    }

    const request = bodyOf(exchange.requestBody, 'the request body', errors);
    if (op.requestType === null) {
        if (request !== undefined) {
            errors.push(`request: ${op.sdkOperation} takes no body, one was sent`);
        }
    } else if (op.requestType === 'multipart/form-data') {
        errors.push(`request: ${op.sdkOperation} takes a multipart form, which this checker does not check`);
    } else if (request === undefined) {
        errors.push(`request: ${op.sdkOperation} takes a ${op.requestType} body, none was sent`);
    } else {
        validate(module, request, op.requestType, '', 'request', errors);
    }

    const status = Number(exchange.responseStatus);
    let responseType;
    if (!Number.isInteger(status)) {
        errors.push(`response: no status (${JSON.stringify(exchange.responseStatus)})`);
    } else {
        const declared = op.responses.find(r => isCodeInRange(r.code, status));
        if (!declared) {
            errors.push(`response: ${op.sdkOperation} declares no model for HTTP ${status}`);
        } else if (declared.code === '0' && status >= 200 && status < 300) {
            const codes = op.responses.filter(r => r.code !== '0').map(r => r.code);
            errors.push(`response: HTTP ${status} is not a status ${op.sdkOperation} declares (${codes.join(', ') || 'none'}); `
                + 'the client would take it for an error');
        } else if (declared.type === null) {
            errors.push(`response: the client's handling of HTTP ${declared.code} is unreadable here (${declared.unreadable})`);
        } else {
            responseType = declared.type;
            const response = bodyOf(exchange.responseBody, 'the response body', errors);
            if (responseType === 'void') {
                if (response !== undefined) errors.push(`response: ${op.sdkOperation} answers HTTP ${status} without a body, the answer had one`);
            } else if (response === undefined) {
                errors.push(`response: ${op.sdkOperation} answers HTTP ${status} with ${responseType}, the answer had no body`);
            } else {
                validate(module, response, responseType, '', 'response', errors);
            }
        }
    }
    const described = `${op.client} ${op.sdkOperation}: request ${op.requestType ?? '(none)'}, `
        + `response ${Number.isInteger(status) ? status : '?'} ${responseType === 'Error' ? 'Error (ModelError)' : responseType ?? '?'}`;
    return { errors, described };
}

function main(argv) {
    if (argv.length !== 1) {
        console.error('usage: node check.mjs EXCHANGES.json');
        return 2;
    }
    let exchanges;
    try {
        exchanges = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
    } catch (e) {
        console.error(`cannot read ${argv[0]}: ${e.message}`);
        return 2;
    }
    if (!Array.isArray(exchanges)) {
        console.error(`${argv[0]} is not a list of exchanges`);
        return 2;
    }
    console.log(`@hubspot/api-client ${sdkVersion}: ${ENDPOINTS.length} operations read from lib/codegen/crm`);
    let passed = 0;
    let failed = 0;
    for (const exchange of exchanges) {
        const label = `${exchange.operation ?? '?'} ${exchange.method} ${exchange.path} -> ${exchange.responseStatus}`;
        let result;
        try {
            result = checkExchange(exchange);
        } catch (e) {
            result = { errors: [`checker error: ${e.stack || e}`], described: '' };
        }
        if (result.errors.length === 0) {
            passed++;
            console.log(`PASS ${label} (${result.described})`);
        } else {
            failed++;
            console.log(`FAIL ${label} (${result.described})`);
            for (const error of result.errors) {
                console.log(`    - ${error}`);
            }
        }
    }
    if (exchanges.length === 0) {
        console.log('no exchanges to check');
    }
    console.log(`hubspot conformance: ${passed} passed, ${failed} failed`);
    return failed === 0 && exchanges.length > 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
