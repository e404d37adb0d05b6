#!/usr/bin/env node
// Checks captured Zoho CRM exchanges against the structures of Zoho's published Node.js SDK (@zohocrm/nodejs-sdk-8.0,
// pinned in package.json).
//
//   node check.mjs EXCHANGES.json
//
// EXCHANGES.json is a list of {operation, method, path, requestBody, responseStatus, responseBody}, the path without
// the data centre's host (it starts /crm/v8/). A body is the JSON value, null (or absent) when there was none, or a
// string holding the raw body text, which must then parse as JSON.
//
// Nothing about Zoho's API is written down here. The endpoint table is read from the SDK's operations classes
// (lib/core/com/zoho/crm/api/*/*_operations.js): for each method the path it builds, the HTTP method, the structure
// its request is (a BodyWrapper of that package) and the handler its answer is read as (an interface of several
// structures, say ActionWrapper or APIException). The structures are the SDK's own description of the API,
// lib/config/json_details.json: each member's JSON name, type, element type, allowed values ("choice" members) and
// list lengths. The SDK answers every status with the same handler, so the body of any status is checked against it;
// an interface is met when one of its structures is met.
//
// Strict, as far as the SDK describes the API: a key a structure does not have, a wrong JSON type, a date-time that
// is not ISO 8601, a choice value the SDK does not list, a list longer or shorter than allowed, a null in a request,
// a body where the method takes none (or none where it takes one), and a path or method the SDK has no operation
// for are failures. What the SDK cannot describe is reported, not passed silently: a record's module fields (Email,
// Deal_Name, custom fields) are the org's, which the SDK fetches from the org's field metadata at run time, so in a
// structure that takes such fields (the SDK class has addKeyValue, as Record does) an unknown key is listed as a
// module field on the exchange's line. Zoho's answers carry nulls for empty members ("duplicate_field": null), which
// the SDK reads as absent; a null is accepted in an answer.
//
// Prints one line per exchange (details of a failure indented below it), then
// `zoho conformance: N passed, M failed`. Exits 0 only when every exchange passed; 1 on a failure; 2 when the input
// cannot be read.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));

const sdkRoot = path.dirname(require.resolve('@zohocrm/nodejs-sdk-8.0/package.json'));
const sdkVersion = JSON.parse(fs.readFileSync(path.join(sdkRoot, 'package.json'), 'utf8')).version;
const libRoot = path.join(sdkRoot, 'lib');
const apiRoot = path.join(libRoot, 'core', 'com', 'zoho', 'crm', 'api');
const DETAILS = JSON.parse(fs.readFileSync(path.join(libRoot, 'config', 'json_details.json'), 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// The endpoint table, from the operations classes

/** The json_details key of a module file imported from an operations file: core/com/zoho/crm/api/<pkg>/<name>. */
function structureKey(fromFile, relative) {
    return path.relative(libRoot, path.resolve(path.dirname(fromFile), relative)).split(path.sep).join('/').replace(/\.js$/, '');
}

function parseOperations(file) {
    const text = fs.readFileSync(file, 'utf8');
    const starts = [...text.matchAll(/^\tasync (\w+)\(([^)]*)\)\s*\{/gm)];
    const operations = [];
    starts.forEach((m, i) => {
        const body = text.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : text.length);
        const pieces = [...body.matchAll(/apiPath = apiPath\.concat\(([^;]*)\);/g)].map(p => {
            const literal = /^"([^"]*)"$/.exec(p[1].trim());
            if (literal) return literal[1];
            const name = /(?:this\.)?(\w+)\.toString\(\)/.exec(p[1]);
            return `{${name ? name[1] : 'param'}}`;
        });
        const method = /setHttpMethod\(Constants\.REQUEST_METHOD_(\w+)\)/.exec(body);
        if (pieces.length === 0 || !method) {
            return;
        }
        const category = /setCategoryMethod\(Constants\.REQUEST_CATEGORY_(\w+)\)/.exec(body);
        let requestType = null;
        if (/setRequest\(request\)/.test(body)) {
            const cls = /\(request instanceof (\w+)\)/.exec(body);
            const imported = cls && new RegExp(`const ${cls[1]} = \\(await \\(import\\("([^"]+)"\\)\\)\\)\\.MasterModel`).exec(body);
            requestType = imported ? structureKey(file, imported[1]) : 'unreadable';
        }
        const contentType = /setContentType\("([^"]+)"\)/.exec(body);
        const handlerName = /apiCall\((\w+), "[^"]*"\)/.exec(body);
        const handler = handlerName && new RegExp(`let ${handlerName[1]} = require\\.resolve\\("([^"]+)"\\)`).exec(body);
        const template = pieces.join('');
        operations.push({
            sdkOperation: `${path.basename(file, '.js')}.${m[1]}`,
            template,
            segments: template.split('/').filter(Boolean),
            method: method[1].toUpperCase(),
            category: category ? category[1].toLowerCase() : null,
            requestType,
            contentType: contentType ? contentType[1] : null,
            responseType: handler ? structureKey(file, handler[1]) : null,
        });
    });
    return operations;
}

function endpointTable() {
    const table = [];
    for (const pkg of fs.readdirSync(apiRoot)) {
        const dir = path.join(apiRoot, pkg);
        if (!fs.statSync(dir).isDirectory()) continue;
        for (const name of fs.readdirSync(dir)) {
            if (name.endsWith('_operations.js')) {
                table.push(...parseOperations(path.join(dir, name)));
            }
        }
    }
    return table;
}

const ENDPOINTS = endpointTable();
const isParam = s => /^\{\w+\}$/.test(s);

function findOperation(method, rawPath) {
    const segments = rawPath.split('?')[0].split('/').filter(Boolean);
    const shape = ENDPOINTS.filter(op => op.segments.length === segments.length
        && op.segments.every((s, i) => isParam(s) || s === segments[i]));
    const matches = shape.filter(op => op.method === method);
    if (matches.length === 0) {
        const methods = [...new Set(shape.map(op => op.method))];
        return {
            error: methods.length === 0 ? `the SDK has no operation for the path ${rawPath}`
                : `the SDK has no ${method} operation for ${rawPath} (it has ${methods.join(', ')})`,
        };
    }
    const literals = op => op.segments.filter(s => !isParam(s)).length;
    const best = Math.max(...matches.map(literals));
    const top = matches.filter(op => literals(op) === best);
    if (new Set(top.map(op => JSON.stringify([op.requestType, op.responseType]))).size > 1) {
        return { error: `${method} ${rawPath} matches several SDK operations that disagree: ${top.map(op => op.sdkOperation).join(', ')}` };
    }
    return { operation: top[0] };
}

// ---------------------------------------------------------------------------------------------------------------
// The structures

const openCache = new Map();

/** A structure takes module fields (keys the SDK does not list) when its class can hold them: it has addKeyValue. */
function takesModuleFields(key) {
    if (!openCache.has(key)) {
        const file = path.join(libRoot, `${key}.js`);
        openCache.set(key, fs.existsSync(file) && /\baddKeyValue\s*\(/.test(fs.readFileSync(file, 'utf8')));
    }
    return openCache.get(key);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function jsonType(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    return typeof value;
}

const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Appends to ctx.errors every way `value` at `where` is not the member `detail` (a json_details member, or
 * {type: X} for a list element). ctx.answer: nulls are accepted; ctx.moduleFields collects unknown keys of
 * structures that take module fields.
 */
function validateMember(value, detail, where, ctx) {
    if (value === null) {
        if (!ctx.answer) ctx.errors.push(`${where}: null in a request`);
        return;
    }
    const type = detail.type;
    const spec = (detail.spec_type || '').split('.').pop();
    switch (type) {
        case 'String':
            if (typeof value !== 'string') {
                ctx.errors.push(`${where}: expected a string, got ${jsonType(value)} ${JSON.stringify(value)}`);
            } else if (detail.regex && !new RegExp(detail.regex).test(value)) {
                ctx.errors.push(`${where}: ${JSON.stringify(value)} does not match ${detail.regex}`);
            }
            return;
        case 'Long':
            // TLongString: ids travel as strings of digits; the SDK also reads a JSON integer
            if (!(typeof value === 'string' && /^-?\d+$/.test(value)) && !Number.isInteger(value)) {
                ctx.errors.push(`${where}: expected a long${spec === 'TLongString' ? ' (a string of digits)' : ''}, got ${jsonType(value)} ${JSON.stringify(value)}`);
            }
            return;
        case 'Integer':
            if (!Number.isInteger(value)) ctx.errors.push(`${where}: expected an integer, got ${jsonType(value)} ${JSON.stringify(value)}`);
            return;
        case 'Double':
        case 'Float':
            if (typeof value !== 'number') ctx.errors.push(`${where}: expected a number, got ${jsonType(value)} ${JSON.stringify(value)}`);
            return;
        case 'Boolean':
            if (typeof value !== 'boolean') ctx.errors.push(`${where}: expected a boolean, got ${jsonType(value)} ${JSON.stringify(value)}`);
            return;
        case 'DateTime':
            if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
                ctx.errors.push(`${where}: ${JSON.stringify(value)} is not an ISO 8601 date-time with an offset`);
            }
            return;
        case 'Date':
            if (typeof value !== 'string' || !ISO_DATE.test(value)) ctx.errors.push(`${where}: ${JSON.stringify(value)} is not an ISO 8601 date`);
            return;
        case 'Object':
            return;
        case 'utils/util/choice':
            if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
                ctx.errors.push(`${where}: expected a choice value, got ${jsonType(value)}`);
            } else if (Array.isArray(detail.values) && !detail.values.includes(value)) {
                ctx.errors.push(`${where}: ${JSON.stringify(value)} is not a value the SDK lists (${detail.values.join(', ')})`);
            }
            return;
        case 'List': {
            if (!Array.isArray(value)) {
                ctx.errors.push(`${where}: expected a list, got ${jsonType(value)}`);
                return;
            }
            if (detail.min_length !== undefined && value.length < detail.min_length) {
                ctx.errors.push(`${where}: ${value.length} items, the SDK takes at least ${detail.min_length}`);
            }
            if (detail.max_length !== undefined && value.length > detail.max_length) {
                ctx.errors.push(`${where}: ${value.length} items, the SDK takes at most ${detail.max_length}`);
            }
            const element = detail.sub_type || { type: 'Object' };
            value.forEach((item, i) => validateMember(item, element, `${where}[${i}]`, ctx));
            return;
        }
        case 'Map': {
            if (!isObject(value)) {
                ctx.errors.push(`${where}: expected an object, got ${jsonType(value)}`);
                return;
            }
            // a map is open (String -> Object); the keys the SDK lists are checked by their own details
            for (const keyDetail of detail.keys || []) {
                if (Object.prototype.hasOwnProperty.call(value, keyDetail.name)) {
                    validateMember(value[keyDetail.name], keyDetail, `${where}.${keyDetail.name}`, ctx);
                }
            }
            return;
        }
        default:
            if (DETAILS[type]) {
                validateStructure(value, type, where, ctx);
            } else {
                ctx.errors.push(`${where}: the SDK names the type ${type}, which this checker cannot resolve`);
            }
    }
}

const shortName = key => key.split('/').slice(-2).join('/');

function validateStructure(value, key, where, ctx) {
    const detail = DETAILS[key];
    if (detail.interface) {
        const attempts = detail.classes.map(cls => {
            const attempt = { ...ctx, errors: [], moduleFields: [], met: ctx.met ? [] : undefined };
            validateStructure(value, cls, where, attempt);
            return { cls, attempt };
        });
        const met = attempts.find(a => a.attempt.errors.length === 0);
        if (met) {
            ctx.moduleFields.push(...met.attempt.moduleFields);
            ctx.met?.push(...met.attempt.met, `${where}: ${shortName(met.cls)}`);
            return;
        }
        // the closest is the structure that knows most of the value's keys, as the SDK picks one
        const known = cls => (isObject(value) && !DETAILS[cls].interface
            ? Object.keys(value).filter(k => Object.values(DETAILS[cls]).some(d => d.name === k)).length : 0);
        const closest = attempts.reduce((a, b) => (known(b.cls) > known(a.cls)
            || (known(b.cls) === known(a.cls) && b.attempt.errors.length < a.attempt.errors.length) ? b : a));
        ctx.errors.push(`${where}: meets none of ${detail.classes.map(shortName).join(', ')}; closest ${shortName(closest.cls)}:`);
        ctx.errors.push(...closest.attempt.errors.map(e => `  ${e}`));
        return;
    }
    if (!isObject(value)) {
        ctx.errors.push(`${where}: expected an object (${shortName(key)}), got ${jsonType(value)}`);
        return;
    }
    const byName = new Map(Object.values(detail).map(d => [d.name, d]));
    for (const [name, item] of Object.entries(value)) {
        const member = byName.get(name);
        if (member) {
            validateMember(item, member, `${where}.${name}`, ctx);
        } else if (takesModuleFields(key)) {
            ctx.moduleFields.push(`${where}.${name}`);
            if (!ctx.answer && item === null) ctx.errors.push(`${where}.${name}: null in a request`);
        } else {
            ctx.errors.push(`${where}.${name}: ${shortName(key)} has no member '${name}' (it has ${[...byName.keys()].join(', ')})`);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Exchanges

function bodyOf(raw, what, errors) {
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string') return raw;
    try {
        return JSON.parse(raw);
    } catch (e) {
        errors.push(`${what} is not JSON: ${raw.length > 80 ? raw.slice(0, 80) + '...' : raw}`);
        return undefined;
    }
}

function checkExchange(exchange) {
    const errors = [];
    const method = String(exchange.method || '').toUpperCase();
    const rawPath = String(exchange.path || '');
    const found = findOperation(method, rawPath);
    if (found.error) {
        return { errors: [found.error], described: 'no SDK operation', moduleFields: [] };
    }
    const op = found.operation;
    const moduleFields = [];

    const request = bodyOf(exchange.requestBody, 'the request body', errors);
    if (op.requestType === null) {
        if (request !== undefined) errors.push(`request: ${op.sdkOperation} takes no body, one was sent`);
    } else if (op.requestType === 'unreadable' || !DETAILS[op.requestType]) {
        errors.push(`request: the SDK's request type for ${op.sdkOperation} is unreadable here`);
    } else if (op.contentType && op.contentType !== 'application/json') {
        errors.push(`request: ${op.sdkOperation} takes ${op.contentType}, which this checker does not check`);
    } else if (request === undefined) {
        errors.push(`request: ${op.sdkOperation} takes a ${shortName(op.requestType)}, none was sent`);
    } else {
        validateStructure(request, op.requestType, 'request', { errors, moduleFields, answer: false });
    }

    const status = Number(exchange.responseStatus);
    const met = [];
    const response = bodyOf(exchange.responseBody, 'the response body', errors);
    if (!Number.isInteger(status)) {
        errors.push(`response: no status (${JSON.stringify(exchange.responseStatus)})`);
    } else if (status === 204 || status === 304) {
        if (response !== undefined) errors.push(`response: HTTP ${status} with a body`);
    } else if (response === undefined) {
        errors.push(`response: HTTP ${status} without a body; the SDK reads ${shortName(op.responseType)} from it`);
    } else {
        validateStructure(response, op.responseType, 'response', { errors, moduleFields, answer: true, met });
    }
    const described = `${op.sdkOperation}: request ${op.requestType ? shortName(op.requestType) : '(none)'}, response `
        + `${Number.isInteger(status) ? status : '?'} ${shortName(op.responseType)}${met.length ? ' = ' + [...new Set(met.map(m => m.split(': ')[1]))].join(', ') : ''}`;
    return { errors, described, moduleFields };
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
    console.log(`@zohocrm/nodejs-sdk-8.0 ${sdkVersion}: ${ENDPOINTS.length} operations read from lib/core`);
    let passed = 0;
    let failed = 0;
    for (const exchange of exchanges) {
        const label = `${exchange.operation ?? '?'} ${exchange.method} ${exchange.path} -> ${exchange.responseStatus}`;
        let result;
        try {
            result = checkExchange(exchange);
        } catch (e) {
            result = { errors: [`checker error: ${e.stack || e}`], described: '', moduleFields: [] };
        }
        const fields = result.moduleFields.length === 0 ? ''
            : `; module fields, not described by the SDK: ${[...new Set(result.moduleFields.map(f => f.replace(/\[\d+\]/g, '[]')))].join(', ')}`;
        if (result.errors.length === 0) {
            passed++;
            console.log(`PASS ${label} (${result.described}${fields})`);
        } else {
            failed++;
            console.log(`FAIL ${label} (${result.described}${fields})`);
            for (const error of result.errors) console.log(`    - ${error}`);
        }
    }
    if (exchanges.length === 0) console.log('no exchanges to check');
    console.log(`zoho conformance: ${passed} passed, ${failed} failed`);
    return failed === 0 && exchanges.length > 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
