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

With --baseline it compares two such profiles (e.g. a plan of 1000
immuta_integration against one of 1000 immuta_integration_api_key) and
prints, per function, how many more samples pass through it:

  perf script -i keys.data -F comm,ip,dso > keys.script
  perf script -i plan.data -F comm,ip,dso \
      | python3 benches/gosym.py --chains --baseline keys.script "$(command -v terraform)"
"""
import argparse
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


def inclusive_counts(stream, base, funcs, starts):
    """Terraform's samples in a `perf script -F comm,ip,dso` stream, and for
    each function the number of them whose call chain passes through it."""
    incl = collections.Counter()
    samples = 0
    comm, frames = None, []

    def flush():
        nonlocal samples
        if comm == "terraform" and frames:
            samples += 1
            for name in set(frames):
                incl[name] += 1

    for line in stream:
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
    return samples, incl


def short(name):
    return name.replace("github.com/hashicorp/terraform/internal/", "")


def chains(base, funcs, starts, top):
    """Inclusive shares of the functions of Terraform's own samples."""
    samples, incl = inclusive_counts(sys.stdin, base, funcs, starts)
    print(f"{samples} terraform samples")
    for name, c in incl.most_common(top):
        print(f"{100.0 * c / max(samples, 1):5.1f}% {name}")


def compare(baseline_path, base, funcs, starts, top):
    """Where the extra samples of stdin's profile go, against a baseline
    profile of the same command on another configuration (both recorded at
    the same frequency): per function, inclusive samples minus the
    baseline's, as a share of the difference in total samples."""
    samples, incl = inclusive_counts(sys.stdin, base, funcs, starts)
    with open(baseline_path, encoding="utf-8", errors="replace") as f:
        b_samples, b_incl = inclusive_counts(f, base, funcs, starts)
    extra = samples - b_samples
    print(f"{samples} terraform samples against {b_samples} in the baseline: "
          f"{extra} more ({samples / max(b_samples, 1):.2f}x)")
    rows = sorted(((incl[n] - b_incl[n], n) for n in set(incl) | set(b_incl)), reverse=True)
    print(f"{'extra':>6s} {'share':>6s} {'profile':>7s} {'base':>6s} function")
    for d, n in rows[:top]:
        print(f"{d:6d} {100.0 * d / max(extra, 1):5.1f}% {incl[n]:7d} {b_incl[n]:6d} {short(n)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("terraform", help="the terraform binary that was profiled")
    ap.add_argument("--chains", action="store_true",
                    help="stdin is `perf script -F comm,ip,dso`: inclusive shares")
    ap.add_argument("--baseline", metavar="PERF_SCRIPT",
                    help="with --chains: print where the extra samples go against this "
                         "`perf script` output of a baseline run")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    path = args.terraform
    base = text_base(path)
    funcs = functions(path)
    starts = [f[0] for f in funcs]
    if args.chains and args.baseline:
        compare(args.baseline, base, funcs, starts, args.top)
        return
    if args.chains:
        chains(base, funcs, starts, args.top)
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
