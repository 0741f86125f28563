#!/usr/bin/env python3
"""What the size of a resource's schema costs Terraform (issue 7).

Builds `tests/providers/schema_scale.rs`, a provider whose one
resource, `scale_thing`, has as many optional string attributes as asked,
flat, in single nested attributes or in single nested blocks, and does
nothing per call but echo. Then, side by side in one run, for each shape
and size: `terraform apply` of N `scale_thing` (N=1000 by default, one
run), and a refreshing no-change `terraform plan` of them, beside the same
of N built-in `terraform_data`. Prints the plans' medians and ratios.

The resource's per-call work is the same at every size, so the growth of
the ratio with the size is Terraform's own per-instance cost of the
schema. docs/performance.md compares it with `immuta_integration`.

Standard library only. Usage:

  python3 benches/schema_scale.py [--n 1000] [--runs 3]
                                  [--sizes flat:3,flat:39,nested:39,nested:159:20,...]

Each size is shape:leaves[:group], group being the strings per nested
attribute or block (6 when left out).
                                  [--no-build] [--json out.json]

Uses $CARGO_TARGET_DIR when set, and `terraform` from PATH (or
--terraform).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the shared helpers: Workdir, tf_env, median)

ROOT = bench.ROOT
ADDRESS = "example.com/bench/scale"
DEFAULT_SIZES = ("flat:3,flat:39,flat:79,flat:159,nested:39,nested:79,nested:159,"
                 "nested:159:20,nested:159:2,blocks:159")

SCALE_TF = """terraform {
  required_providers {
    scale = { source = "%(address)s" }
  }
}

resource "scale_thing" "x" {
  count = %(n)d
}
"""


def build():
    bench.log("schema_scale: cargo build --release --example schema_scale")
    subprocess.run(["cargo", "build", "--release", "--locked",
                    "--example", "schema_scale"], cwd=ROOT, check=True)


def groups(shape, leaves, group):
    """How many nested attributes or blocks hold the leaves."""
    return 0 if shape == "flat" else -(-leaves // group)


def attribute_count(shape, leaves, group):
    """Attributes as `terraform providers schema -json` lists them: the
    leaves, `id`, and for `nested` each nested attribute itself (blocks are
    block types, not attributes)."""
    return 1 + leaves + (groups(shape, leaves, group) if shape == "nested" else 0)


def plan_series(wd, runs):
    walls, cpus = [], []
    for _ in range(runs):
        walls.append(wd.plan())
        cpus.append(wd.last_cpu)
    return bench.median(walls), bench.median(cpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default=DEFAULT_SIZES,
                    help="comma-separated shape:leaves, shape one of flat, nested, blocks")
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--terraform", default=shutil.which("terraform") or "terraform")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    cases = []
    for item in args.sizes.split(","):
        parts = item.strip().split(":")
        if (len(parts) not in (2, 3) or parts[0] not in ("flat", "nested", "blocks")
                or not all(p.isdigit() and int(p) > 0 for p in parts[1:])):
            raise SystemExit("schema_scale: --sizes: expected shape:leaves[:group] with "
                             f"whole numbers above 0, got {item!r}")
        cases.append((parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else 6))

    if not args.no_build:
        build()
    binary = os.path.join(bench.target_dir(), "release", "examples", "schema_scale")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"schema_scale: {binary} is missing; build without --no-build")

    scratch = tempfile.mkdtemp(prefix="schema-scale-")
    out = {"n": args.n, "runs": args.runs, "machine": bench.machine(args.terraform),
           "cases": []}
    try:
        rc = bench.make_mirror(scratch, binary, ADDRESS)
        data = bench.Workdir(args.terraform, os.path.join(scratch, "data"),
                             bench.DATA_TF % {"n": args.n}, bench.tf_env({}),
                             args.parallelism)
        data_apply = data.apply()
        data_before = plan_series(data, args.runs)
        for shape, leaves, group in cases:
            env = bench.tf_env({"TF_CLI_CONFIG_FILE": rc, "SCALE_SHAPE": shape,
                                "SCALE_LEAVES": str(leaves), "SCALE_GROUP": str(group)})
            wd = bench.Workdir(args.terraform,
                               os.path.join(scratch, f"{shape}-{leaves}-{group}"),
                               SCALE_TF % {"address": ADDRESS, "n": args.n}, env,
                               args.parallelism)
            apply_wall = wd.apply()
            apply_cpu = wd.last_cpu
            wall, cpu = plan_series(wd, args.runs)
            case = {"shape": shape, "leaves": leaves,
                    "groups": groups(shape, leaves, group),
                    "attributes": attribute_count(shape, leaves, group),
                    "apply_s": apply_wall, "apply_cpu_s": apply_cpu,
                    "plan_median_s": wall, "plan_cpu_median_s": cpu}
            out["cases"].append(case)
            bench.log(f"schema_scale: {shape}:{leaves}:{group} apply {apply_wall:.2f} s, "
                      f"plan {wall:.2f} s ({cpu:.2f} s CPU)")
            shutil.rmtree(wd.path, ignore_errors=True)
        data_after = plan_series(data, args.runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    # terraform_data's plan, before and after the cases: the median of the
    # two medians is the reference, and their spread shows the drift.
    d_wall = bench.median([data_before[0], data_after[0]])
    d_cpu = bench.median([data_before[1], data_after[1]])
    out["data_plan"] = {"before": data_before, "after": data_after,
                        "wall_s": d_wall, "cpu_s": d_cpu}
    out["data_apply_s"] = data_apply
    print(f"\n== refreshing plan of {args.n}, median of {args.runs} runs "
          f"(-parallelism={args.parallelism}); terraform_data: {d_wall:.2f} s "
          f"({d_cpu:.2f} s CPU; {data_before[0]:.2f} s before the cases, "
          f"{data_after[0]:.2f} s after); its apply took {data_apply:.2f} s")
    print(f"{'shape':7s} {'leaves':>6s} {'groups':>6s} {'attrs':>5s} {'plan s':>7s} {'ratio':>6s} "
          f"{'CPU s':>7s} {'CPU ratio':>9s} {'apply s':>8s}")
    for c in out["cases"]:
        c["plan_ratio"] = c["plan_median_s"] / d_wall
        c["plan_cpu_ratio"] = c["plan_cpu_median_s"] / d_cpu
        print(f"{c['shape']:7s} {c['leaves']:6d} {c['groups']:6d} {c['attributes']:5d} "
              f"{c['plan_median_s']:7.2f} {c['plan_ratio']:6.2f} "
              f"{c['plan_cpu_median_s']:7.2f} {c['plan_cpu_ratio']:9.2f} "
              f"{c['apply_s']:8.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
