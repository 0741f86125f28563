#!/usr/bin/env python3
"""Names the hot functions of a stripped Go binary (Terraform) in a perf profile.

Release builds of Terraform carry no symbol table, so `perf report` shows
bare addresses; the Go runtime's own function table (.gopclntab, Go 1.20+
layout) is still there. This reads it and folds perf's per-address self time
into functions and packages. Standard library and binutils' readelf only.

  perf record -F 999 -g -o plan.data -- terraform plan ...
  perf report -i plan.data --no-children --comm terraform --dso terraform \\
      --sort sym --stdio -g none | grep '\\[\\.\\]' | awk '{print $1, $3}' \\
      | python3 benches/gosym.py "$(command -v terraform)"

With --chains it reads `perf script -F comm,ip,dso` output instead and prints
inclusive shares (the samples whose call chain passes through a function):

  perf script -i plan.data -F comm,ip,dso \
      | python3 benches/gosym.py --chains "$(command -v terraform)"
"""
import bisect
import collections
import struct
import subprocess
import sys


def sections(path):
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for line in out.splitlines():
        if "]" not in line:
            continue
        parts = line.split("]", 1)[1].split()
        if len(parts) >= 5 and parts[0].startswith("."):
            found[parts[0]] = (int(parts[2], 16), int(parts[3], 16), int(parts[4], 16))
    return found


def text_base(path):
    """Virtual address minus file offset of the executable segment."""
    out = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and "E" in p[6:-1]:
            return int(p[2], 16) - int(p[1], 16)
    return 0


def functions(path):
    _, off, size = sections(path)[".gopclntab"]
    with open(path, "rb") as f:
        f.seek(off)
        tab = f.read(size)
    magic, = struct.unpack_from("<I", tab, 0)
    if magic not in (0xFFFFFFF0, 0xFFFFFFF1):
        raise SystemExit(f"gosym: pclntab magic {magic:#x} is not Go 1.18+")
    nfunc, _nfiles, text_start, name_off, _cu, _files, _pc, ftab_off = struct.unpack_from(
        "<8Q", tab, 8)
    funcs = []
    for i in range(nfunc):
        entry, foff = struct.unpack_from("<II", tab, ftab_off + 8 * i)
        noff, = struct.unpack_from("<i", tab, ftab_off + foff + 4)
        start = name_off + noff
        end = tab.index(b"\0", start)
        funcs.append((text_start + entry, tab[start:end].decode(errors="replace")))
    funcs.sort()
    return funcs


def package(name):
    fn = name.split("(")[0].rstrip(".")
    head, _, tail = fn.rpartition("/")
    pkg = tail.split(".")[0]
    return f"{head}/{pkg}" if head else pkg


def chains(path, base, funcs, starts):
    """Inclusive shares of the functions of Terraform's own samples."""
    incl = collections.Counter()
    samples = 0
    comm, frames = None, []

    def flush():
        nonlocal samples
        if comm == "terraform" and frames:
            samples += 1
            for name in set(frames):
                incl[name] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            comm, frames = None, []
        elif not line[0].isspace():
            comm = line.split()[0]
        elif line.rstrip().endswith("terraform)") and "/" in line:
            try:
                addr = int(line.split()[0], 16) + base
            except ValueError:
                continue
            i = bisect.bisect_right(starts, addr) - 1
            frames.append(funcs[i][1] if i >= 0 else "?")
    flush()
    print(f"{samples} terraform samples")
    for name, c in incl.most_common(40):
        print(f"{100.0 * c / max(samples, 1):5.1f}% {name}")


def main():
    args = sys.argv[1:]
    inclusive = "--chains" in args
    path = [a for a in args if a != "--chains"][0]
    base = text_base(path)
    funcs = functions(path)
    starts = [f[0] for f in funcs]
    if inclusive:
        chains(path, base, funcs, starts)
        return
    by_func, by_pkg = collections.Counter(), collections.Counter()
    total = 0.0
    for line in sys.stdin:
        p = line.split()
        if len(p) < 2:
            continue
        weight = float(p[0].rstrip("%"))
        i = bisect.bisect_right(starts, int(p[1], 16) + base) - 1
        name = funcs[i][1] if i >= 0 else "?"
        by_func[name] += weight
        by_pkg[package(name)] += weight
        total += weight
    print(f"{total:.1f}% of samples in the binary")
    print("-- functions (self)")
    for n, w in by_func.most_common(25):
        print(f"{w:6.2f}% {n}")
    print("-- packages (self)")
    for n, w in by_pkg.most_common(15):
        print(f"{w:6.2f}% {n}")


if __name__ == "__main__":
    main()
