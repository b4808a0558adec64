"""The names a shared library exports, read from its ELF dynamic symbol table.

Pure Python (struct), so that the introspection function can be found in a
library whose model name is unknown, without binutils: the .dynsym section
lists the symbols, and the string table it links to (.dynstr) their names.
"""

import struct

SHT_DYNSYM = 11
SHN_UNDEF = 0
STB_GLOBAL, STB_WEAK = 1, 2
STT_FUNC = 2


class ElfError(ValueError):
    """The file is not an ELF file this reader understands."""


def exported_functions(path):
    """The names of the functions the ELF shared library at path defines and exports."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ElfError(f"'{path}' is not an ELF file")
    elf_class, byte_order = data[4], data[5]
    if elf_class not in (1, 2) or byte_order not in (1, 2):
        raise ElfError(f"'{path}': unknown ELF class {elf_class} or byte order {byte_order}")
    is64 = elf_class == 2
    end = "<" if byte_order == 1 else ">"

    def unpack(fmt, offset):
        try:
            return struct.unpack_from(end + fmt, data, offset)
        except struct.error as e:
            raise ElfError(f"'{path}': truncated ELF file ({e})") from None

    # The section header table: where it is, the size of an entry, how many.
    if is64:
        (shoff,) = unpack("Q", 0x28)
        shentsize, shnum = unpack("HH", 0x3A)
        section_fmt = "IIQQQQIIQQ"  # name type flags addr offset size link info align entsize
        symbol_fmt, symbol_size = "IBBHQQ", 24  # name info other shndx value size
    else:
        (shoff,) = unpack("I", 0x20)
        shentsize, shnum = unpack("HH", 0x2E)
        section_fmt = "IIIIIIIIII"
        symbol_fmt, symbol_size = "IIIBBH", 16  # name value size info other shndx
    sections = [unpack(section_fmt, shoff + i * shentsize) for i in range(shnum)]

    names = []
    for section in sections:
        if section[1] != SHT_DYNSYM:
            continue
        offset, size, link = section[4], section[5], section[6]
        if link >= len(sections):
            raise ElfError(f"'{path}': .dynsym links to a missing string table")
        strings_offset = sections[link][4]
        for i in range(1, size // symbol_size):  # entry 0 is the null symbol
            fields = unpack(symbol_fmt, offset + i * symbol_size)
            if is64:
                name, info, _, shndx = fields[0], fields[1], fields[2], fields[3]
            else:
                name, info, shndx = fields[0], fields[3], fields[5]
            binding, kind = info >> 4, info & 0xF
            if shndx == SHN_UNDEF or kind != STT_FUNC or binding not in (STB_GLOBAL, STB_WEAK):
                continue
            start = strings_offset + name
            stop = data.find(b"\0", start)
            if stop < 0:
                raise ElfError(f"'{path}': a symbol name runs past the end of the file")
            names.append(data[start:stop].decode("utf-8", "replace"))
    return names
