"""The layout as the docs describe it is the layout of the tree.

usage: check_layout.py SOURCE_ROOT CNNC_OPT_HELP_FILE

Checks that docs/architecture.md names every pass and pipeline that
`cnnc-opt --help` lists under cnnc's names (cnn-*, cnnc-*), that the
README's layout table and docs/architecture.md name every library folder,
and that every folder includes only the folders docs/architecture.md allows
(the transforms and the target not the cnn dialect). Prints one line of
counts, or the mismatches and exits 1.
"""

import pathlib
import re
import sys

# The include rule of docs/architecture.md: the folders each folder may
# include (by the include path's first component under cnnc/).
ALLOWED = {
    "support": {"Support"},
    "dialect": {"Support", "Dialect"},
    "frontend": {"Support", "Dialect", "Frontend"},
    "importers": {"Support", "Dialect", "Importers"},
    "passes": {"Support", "Dialect", "Passes"},
    "conversion": {"Support", "Dialect", "Passes", "Conversion"},
    "transforms": {"Support", "Dialect", "Transforms"},
    "target": {"Support", "Dialect", "Transforms", "Target"},
    "compiler": {"Support", "Dialect", "Passes", "Conversion", "Transforms",
                 "Target", "Compiler"},
}
# Folders that must not see the cnn dialect: only the cnnc dialect's header.
WITHOUT_CNN = {"transforms", "target"}
CNNC_DIALECT = "cnnc/Dialect/CnncDialect.h"


def main():
    root = pathlib.Path(sys.argv[1])
    help_text = pathlib.Path(sys.argv[2]).read_text()
    readme = (root / "README.md").read_text()
    architecture = (root / "docs" / "architecture.md").read_text()
    errors = []

    passes = sorted(set(re.findall(r"^\s+--(cnnc?-[a-z0-9-]+)\s", help_text,
                                   re.MULTILINE)))
    for name in passes:
        if not re.search(r"\b" + re.escape(name) + r"\b", architecture):
            errors.append(f"docs/architecture.md does not name {name}")

    top = [path for path in root.iterdir() if path.is_dir()
           and not path.name.startswith((".", "build"))]
    folders = sorted({path.parent.relative_to(root).as_posix()
                      for directory in top
                      for path in directory.glob("**/CMakeLists.txt")
                      if "cnnc_add_library" in path.read_text()})
    table = set(re.findall(r"^\| `([a-z/]+)/` \|", readme, re.MULTILINE))
    for folder in folders:
        if folder not in table:
            errors.append(f"README's layout table lacks {folder}/")
        if f"`{folder}/`" not in architecture:
            errors.append(f"docs/architecture.md lacks {folder}/")
    for folder in table:
        if not (root / folder).is_dir():
            errors.append(f"README's layout table names {folder}/, "
                          "which does not exist")

    includes = 0
    pattern = re.compile(r'^\s*#?include "(cnnc/([A-Za-z]+)/[^"]+)"',
                         re.MULTILINE)
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".h", ".td"):
                continue
            for header, component in pattern.findall(path.read_text()):
                includes += 1
                where = path.relative_to(root)
                if component not in allowed:
                    errors.append(f"{where} includes {header}: {folder}/ "
                                  f"may not include {component}")
                elif (folder in WITHOUT_CNN and component == "Dialect"
                      and header != CNNC_DIALECT):
                    errors.append(f"{where} includes {header}: {folder}/ "
                                  "may not see the cnn dialect")

    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"layout: {len(folders)} library folders, {len(passes)} passes and "
          f"pipelines, {includes} includes checked")


if __name__ == "__main__":
    main()
