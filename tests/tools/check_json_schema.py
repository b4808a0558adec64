"""Checks a JSON document against a JSON Schema, the subset that docs use.

Usage: check_json_schema.py SCHEMA.json DOCUMENT.json

Supports type (one or a list), enum, required, properties,
additionalProperties: false, items, anyOf and local $ref
(#/definitions/NAME): enough for the schemas in docs/, with no package
beyond Python's own (Debian's python3 has no jsonschema). Prints each
violation with its path and exits 1 if there is one.
"""
import json
import sys

TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "null": type(None),
}


def has_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def check(value, schema, root, path, errors):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return check(value, root["definitions"][name], root, path, errors)
    if "anyOf" in schema:
        if not any(not check(value, option, root, path, []) for option in schema["anyOf"]):
            errors.append(f"{path}: matches none of anyOf")
        return errors
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(has_type(value, name) for name in names):
            errors.append(f"{path}: {value!r} is not of type {names}")
            return errors
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing key {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                check(item, properties[key], root, f"{path}.{key}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: key {key!r} is not in the schema")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check(item, schema["items"], root, f"{path}[{index}]", errors)
    return errors


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        document = json.load(f)
    errors = check(document, schema, schema, "$", [])
    for error in errors:
        print(error)
    if errors:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
