#!/usr/bin/env python3
"""Performance benchmark of terraform-provider-immuta (issue 7).

Builds the release binaries, then measures, side by side in one run:

* start-up of the provider to its handshake line, with and without AutoMTLS
  (median, p90, min over --startup-runs starts);
* the release binary's size;
* for each N in --sizes: `terraform apply`, a refreshing no-change
  `terraform plan` and `terraform destroy` of N `immuta_integration`
  resources against a fresh `immuta-emulator`, beside the same commands on N
  built-in `terraform_data` resources; medians of --runs runs and the ratio;
* the same three commands on N `immuta_integration_api_key` resources (a
  4-attribute resource of the same provider, one GET per refresh, on N Trino
  integrations made beforehand through the API, on a second emulator): the
  control that separates what the provider adds per call from what the size
  of `immuta_integration`'s schema costs inside Terraform;
* the request counts of one no-change plan (must be exactly N GETs, no
  dryRun and no write);
* the peak resident memory (VmHWM) and CPU time of every provider process
  Terraform starts during an apply and a no-change plan of the largest N,
  via benches/memwrap.rs (built with rustc).

Figures, the machine and a profile: docs/performance.md. Exits 1 when a
no-change plan made other requests than N GETs.

Standard library only. Usage:

  python3 benches/bench.py [--sizes 1,100,1000] [--runs 3] [--startup-runs 200]
                           [--parallelism 10] [--no-build] [--json out.json]

Uses $CARGO_TARGET_DIR when set, else the workspace's target directory, and
`terraform` from PATH (or --terraform). Writes its scratch files to a
temporary directory it removes at the end (--keep keeps it).
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROVIDER_VERSION = "0.1.0"
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
API_KEY = "bench-api-key"

# A throw-away self-signed P-256 certificate standing in for the one
# Terraform passes in PLUGIN_CLIENT_CERT (the provider only pins it; its key
# is not needed and was not kept).
CLIENT_CERT_PEM = """-----BEGIN CERTIFICATE-----
MIIBnjCCAUWgAwIBAgIUNsH7O/n3ryjWWjj16IUzP3oQNTcwCgYIKoZIzj0EAwIw
JDEOMAwGA1UECgwFYmVuY2gxEjAQBgNVBAMMCWxvY2FsaG9zdDAgFw0yNjExMjkx
NTA4MDNaGA8yMTI2MTEwNTE1MDgwM1owJDEOMAwGA1UECgwFYmVuY2gxEjAQBgNV
BAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDHzQISqjaNm
Q2bTo4RhJ76uU3eCQQxz9GgRIJ57AwVmWCC68s4EIEP4fJgnYDDFloVZuwBolYuK
RbjJXjAdCzGjUzBRMB0GA1UdDgQWBBS2pkCN98IliCgtJFOBvBf/ebW1djAfBgNV
HSMEGDAWgBS2pkCN98IliCgtJFOBvBf/ebW1djAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0cAMEQCIGM69/w//NQ6eumHh8d5flqWk3Xc4RKkL0uhOynvid8z
AiAWVv8vsdZ7+l54XTuF7YhZ0r+Z2+gAYsnUbHGRTbB45g==
-----END CERTIFICATE-----
"""

OURS_TF = """terraform {
  required_providers {
    immuta = { source = "immuta/immuta" }
  }
}

provider "immuta" {}

resource "immuta_integration" "x" {
  count = %(n)d
  trino = {}
}
"""

KEYS_TF = """terraform {
  required_providers {
    immuta = { source = "immuta/immuta" }
  }
}

provider "immuta" {}

variable "ids" {
  type = list(string)
}

resource "immuta_integration_api_key" "x" {
  count          = %(n)d
  integration_id = var.ids[count.index]
}
"""

DATA_TF = """resource "terraform_data" "x" {
  count = %(n)d
  input = { platform = "trino", index = count.index }
}
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# --------------------------------------------------------------------------
# Build and machine


def target_dir():
    env = os.environ.get("CARGO_TARGET_DIR")
    if env:
        return os.path.abspath(env)
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["target_directory"]


def build():
    log("bench: cargo build --release -p terraform-provider-immuta -p immuta-emulator")
    t = time.monotonic()
    subprocess.run(
        ["cargo", "build", "--release", "--locked",
         "-p", "terraform-provider-immuta", "-p", "immuta-emulator"],
        cwd=ROOT, check=True,
    )
    return time.monotonic() - t


def machine(terraform):
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_mib = 0
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_mib = int(line.split()[1]) // 1024
    except OSError:
        pass

    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True,
                                  env=tf_env({})).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_mib": mem_mib,
        "kernel": platform.release(),
        "terraform": first_line([terraform, "version"]),
        "rustc": first_line(["rustc", "--version"]),
        "loadavg_at_start": os.getloadavg(),
    }


# --------------------------------------------------------------------------
# Start-up


def startup(binary, runs, mtls):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        MAGIC_COOKIE_KEY: MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": "6",
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
    }
    if mtls:
        env["PLUGIN_CLIENT_CERT"] = CLIENT_CERT_PEM
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
        line = p.stdout.readline()
        t1 = time.perf_counter()
        p.kill()
        p.wait()
        p.stdout.close()
        fields = line.decode(errors="replace").strip().split("|")
        if len(fields) < 5 or fields[1] != "6":
            raise SystemExit(f"bench: unexpected handshake line {line!r}")
        if mtls and (len(fields) < 6 or not fields[5]):
            raise SystemExit("bench: AutoMTLS asked for but the handshake has no certificate")
        times.append((t1 - t0) * 1000.0)
    return {"runs": runs, "median_ms": median(times), "p90_ms": pct(times, 90),
            "min_ms": min(times), "max_ms": max(times)}


# --------------------------------------------------------------------------
# Emulator


class Emulator:
    def __init__(self, binary, scratch, name):
        self.log_path = os.path.join(scratch, f"emulator-{name}.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--api-key", API_KEY, "--transition-delay-ms", "0",
             "--admin"],
            stdout=subprocess.PIPE, stderr=self.log, text=True,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        self.url = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on " in line:
                self.url = line.split("listening on ", 1)[1].strip()
                break
        if not self.url:
            self.stop()
            raise SystemExit(f"bench: the emulator did not start (see {self.log_path})")

    def _admin(self, method, path):
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": "Bearer " + API_KEY})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def create_trino(self, n):
        """Makes n Trino integrations through the API; returns their ids."""
        ids = []
        body = json.dumps({"type": "Trino", "autoBootstrap": False, "config": {}}).encode()
        for _ in range(n):
            req = urllib.request.Request(
                self.url + "/integrations", data=body, method="POST",
                headers={"Authorization": "Bearer " + API_KEY,
                         "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                ids.append(str(json.loads(r.read())["id"]))
        return ids

    def clear_requests(self):
        self._admin("DELETE", "/_emulator/requests")

    def requests(self):
        return self._admin("GET", "/_emulator/requests")

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tick = os.sysconf("SC_CLK_TCK")
            return (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------
# Terraform working directories


def tf_env(extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TF_") and k not in ("IMMUTA_HOST", "IMMUTA_API_KEY")}
    env.update({"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"})
    env.update(extra)
    return env


def make_mirror(base, provider_file, address="registry.terraform.io/immuta/immuta"):
    """A filesystem mirror in `base` holding `provider_file` as provider
    `address` (version PROVIDER_VERSION), and a CLI config using it; returns
    the config's path."""
    name = address.rsplit("/", 1)[1]
    pkg = os.path.join(base, "mirror", address, PROVIDER_VERSION, "linux_amd64")
    os.makedirs(pkg, exist_ok=True)
    dest = os.path.join(pkg, f"terraform-provider-{name}_v{PROVIDER_VERSION}")
    shutil.copy2(provider_file, dest)
    os.chmod(dest, 0o755)
    rc = os.path.join(base, "terraform.rc")
    with open(rc, "w", encoding="utf-8") as f:
        f.write(f"""provider_installation {{
  filesystem_mirror {{
    path    = "{os.path.join(base, 'mirror')}"
    include = ["{address}"]
  }}
  direct {{
    exclude = ["{address}"]
  }}
}}
""")
    return rc


class Workdir:
    def __init__(self, terraform, path, text, env, parallelism, tfvars=None):
        self.terraform = terraform
        self.path = path
        self.env = env
        self.parallelism = parallelism
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "main.tf"), "w", encoding="utf-8") as f:
            f.write(text)
        if tfvars is not None:
            with open(os.path.join(path, "terraform.tfvars.json"), "w", encoding="utf-8") as f:
                json.dump(tfvars, f)
        self.run(["init", "-input=false", "-no-color"])

    def run(self, args, ok=(0,)):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run([self.terraform] + args, cwd=self.path, env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU of terraform and every provider process it started and reaped.
        self.last_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if p.returncode not in ok:
            tail = "\n".join(p.stdout.splitlines()[-40:])
            raise SystemExit(f"bench: terraform {' '.join(args)} in {self.path} "
                             f"exited {p.returncode}:\n{tail}")
        return dt

    def apply(self):
        return self.run(["apply", "-input=false", "-no-color", "-auto-approve",
                         f"-parallelism={self.parallelism}"])

    def plan(self):
        # -detailed-exitcode: 0 means no changes, which is what a refresh of
        # a freshly applied configuration must find.
        return self.run(["plan", "-input=false", "-no-color", "-detailed-exitcode",
                         f"-parallelism={self.parallelism}"])

    def destroy(self):
        return self.run(["destroy", "-input=false", "-no-color", "-auto-approve",
                         f"-parallelism={self.parallelism}"])


def summarize_requests(reqs):
    by_method = {}
    dry = 0
    for r in reqs.get("requests", []):
        by_method[r["method"]] = by_method.get(r["method"], 0) + 1
        if "dryRun=true" in (r.get("query") or ""):
            dry += 1
    return by_method, dry


# --------------------------------------------------------------------------
# Series


def timing_series(args, bins, scratch, rc, n):
    emu = Emulator(bins["emulator"], scratch, f"n{n}")
    # The control gets its own emulator, so that its N Trino integrations do
    # not lengthen the lists that immuta_integration's creates look at.
    emu_keys = None
    try:
        emu_keys = Emulator(bins["emulator"], scratch, f"keys{n}")
        env_ours = tf_env({"TF_CLI_CONFIG_FILE": rc, "IMMUTA_HOST": emu.url,
                           "IMMUTA_API_KEY": API_KEY})
        env_keys = tf_env({"TF_CLI_CONFIG_FILE": rc, "IMMUTA_HOST": emu_keys.url,
                           "IMMUTA_API_KEY": API_KEY})
        env_data = tf_env({"TF_CLI_CONFIG_FILE": rc})
        sides = {
            "ours": Workdir(args.terraform, os.path.join(scratch, f"ours-{n}"),
                            OURS_TF % {"n": n}, env_ours, args.parallelism),
            "keys": Workdir(args.terraform, os.path.join(scratch, f"keys-{n}"),
                            KEYS_TF % {"n": n}, env_keys, args.parallelism,
                            tfvars={"ids": emu_keys.create_trino(n)}),
            "data": Workdir(args.terraform, os.path.join(scratch, f"data-{n}"),
                            DATA_TF % {"n": n}, env_data, args.parallelism),
        }
        res = {k: {name: [] for name in sides} for k in ("apply", "plan", "destroy")}
        cpu = {k: {name: [] for name in sides} for k in ("apply", "plan", "destroy")}
        check = None
        emu_cpu0 = emu.cpu_seconds()
        for i in range(args.runs):
            # Rotate which side goes first so drifting machine load does not
            # always favour the same one.
            order = list(sides.items())
            k = i % len(order)
            order = order[k:] + order[:k]
            for phase in ("apply", "plan", "destroy"):
                for name, wd in order:
                    if phase == "plan" and name == "ours" and check is None:
                        emu.clear_requests()
                        dt = wd.plan()
                        by_method, dry = summarize_requests(emu.requests())
                        check = {"by_method": by_method, "dry_run": dry,
                                 "ok": by_method == {"GET": n} and dry == 0}
                    else:
                        dt = getattr(wd, phase)()
                    res[phase][name].append(dt)
                    cpu[phase][name].append(wd.last_cpu)
                    log(f"bench: N={n} run {i + 1}/{args.runs} {phase:7s} {name}: {dt:.2f} s")
        emu_cpu = emu.cpu_seconds() - emu_cpu0
    finally:
        emu.stop()
        if emu_keys is not None:
            emu_keys.stop()
    out = {"n": n, "request_check": check, "emulator_cpu_s": emu_cpu}
    for phase, by_side in res.items():
        mo, mk, md = (median(by_side[x]) for x in ("ours", "keys", "data"))
        out[phase] = {"ours_s": by_side["ours"], "keys_s": by_side["keys"],
                      "data_s": by_side["data"],
                      "ours_median_s": mo, "keys_median_s": mk, "data_median_s": md,
                      "ratio": mo / md, "keys_ratio": mk / md,
                      "ours_cpu_median_s": median(cpu[phase]["ours"]),
                      "keys_cpu_median_s": median(cpu[phase]["keys"]),
                      "data_cpu_median_s": median(cpu[phase]["data"])}
    return out


def memory_series(args, bins, scratch, n):
    """apply then a no-change plan of N through the wrapper; per-process
    figures. No destroy: the emulator and the scratch state are thrown away."""
    base = os.path.join(scratch, f"mem-{n}")
    os.makedirs(base, exist_ok=True)
    wrapper = os.path.join(base, "memwrap")
    subprocess.run(["rustc", "-O", "--edition", "2021", "-o", wrapper,
                    os.path.join(ROOT, "benches", "memwrap.rs")], check=True)
    rc = make_mirror(base, wrapper)
    emu = Emulator(bins["emulator"], scratch, f"mem{n}")
    out = {"n": n}
    try:
        logs = {}
        for phase in ("init", "apply", "plan"):
            logs[phase] = os.path.join(base, f"mem-{phase}.jsonl")
        env = tf_env({"TF_CLI_CONFIG_FILE": rc, "IMMUTA_HOST": emu.url,
                      "IMMUTA_API_KEY": API_KEY, "BENCH_REAL_PROVIDER": bins["provider"],
                      "BENCH_MEM_LOG": logs["init"]})
        wd = Workdir(args.terraform, os.path.join(base, "work"), OURS_TF % {"n": n},
                     env, args.parallelism)
        for phase in ("apply", "plan"):
            wd.env = {**env, "BENCH_MEM_LOG": logs[phase]}
            wall = getattr(wd, phase)()
            recs = []
            if os.path.exists(logs[phase]):
                with open(logs[phase], encoding="utf-8") as f:
                    recs = [json.loads(line) for line in f if line.strip()]
            hwm = [r["maxrss_kib"] / 1024.0 for r in recs]
            cpu = [r["utime_s"] + r["stime_s"] for r in recs]
            out[phase] = {
                "wall_s": wall,
                "wrapper_hwm_max_mib": max((r["wrapper_hwm_kib"] / 1024.0 for r in recs),
                                           default=float("nan")),
                "processes": len(recs),
                "vmhwm_mib": hwm,
                "vmhwm_max_mib": max(hwm) if hwm else float("nan"),
                "vmhwm_median_mib": median(hwm),
                "provider_cpu_s": sum(cpu),
            }
            log(f"bench: memory N={n} {phase}: {len(recs)} provider processes, "
                f"VmHWM max {out[phase]['vmhwm_max_mib']:.1f} MiB "
                f"(wrapper floor {out[phase]['wrapper_hwm_max_mib']:.1f}), "
                f"provider CPU {sum(cpu):.2f} s of {wall:.2f} s wall")
    finally:
        emu.stop()
    return out


# --------------------------------------------------------------------------
# Report


def report(r):
    m = r["machine"]
    print()
    print("== machine")
    print(f"cpu: {m['cpu']} ({m['cores']} cores), {m['mem_mib']} MiB, Linux {m['kernel']}")
    print(f"{m['terraform']}; {m['rustc']}; load at start "
          + ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"]))
    if r.get("build_s") is not None:
        print(f"release build: {r['build_s']:.0f} s")
    print()
    print("== binary")
    b = r["binary"]
    print(f"terraform-provider-immuta (release, stripped): {b['bytes']} bytes "
          f"({b['bytes'] / 1e6:.2f} MB)  target < 10 MB: {'ok' if b['bytes'] < 10e6 else 'MISS'}")
    if "startup" in r:
        print()
        print(f"== start-up to the handshake line ({r['startup']['mtls']['runs']} starts each)")
        print(f"{'':18s} {'median':>8s} {'p90':>8s} {'min':>8s} {'max':>8s}")
        for k, label in (("mtls", "AutoMTLS"), ("plain", "no AutoMTLS")):
            s = r["startup"][k]
            print(f"{label:18s} {s['median_ms']:7.2f}ms {s['p90_ms']:7.2f}ms "
                  f"{s['min_ms']:7.2f}ms {s['max_ms']:7.2f}ms")
        ok = r["startup"]["mtls"]["median_ms"] < 5.0
        print(f"target: AutoMTLS median < 5 ms: {'ok' if ok else 'MISS'}")
    print()
    print(f"== terraform wall time, median of {r['runs']} runs (-parallelism={r['parallelism']})")
    print("ours = immuta_integration; key = immuta_integration_api_key (same provider, 4")
    print("attributes: the control); data = built-in terraform_data. CPU = user+sys of")
    print("terraform and the providers it started, median.")
    print(f"{'N':>5s} {'phase':8s} {'ours s':>8s} {'key s':>7s} {'data s':>7s} {'ours/data':>9s}"
          f" {'target':>7s} {'key/data':>8s} {'ours CPU':>9s} {'key CPU':>8s} {'data CPU':>9s}")
    biggest = max(x["n"] for x in r["series"])
    for s in r["series"]:
        for phase, limit in (("apply", 1.2), ("plan", 1.5), ("destroy", 1.2)):
            p = s[phase]
            verdict = ("ok" if p["ratio"] <= limit else "MISS") if s["n"] == biggest else ""
            print(f"{s['n']:5d} {phase:8s} {p['ours_median_s']:8.2f} {p['keys_median_s']:7.2f} "
                  f"{p['data_median_s']:7.2f} {p['ratio']:9.2f} {('<=' + str(limit)):>5s} "
                  f"{verdict:4s}{p['keys_ratio']:7.2f} {p['ours_cpu_median_s']:8.2f}s "
                  f"{p['keys_cpu_median_s']:7.2f}s {p['data_cpu_median_s']:8.2f}s")
        print(f"{s['n']:5d} emulator CPU over the whole series (ours): {s['emulator_cpu_s']:.2f} s")
    print()
    print("== requests of one no-change plan (must be exactly N GETs, no dryRun)")
    for s in r["series"]:
        c = s["request_check"]
        print(f"N={s['n']:5d}: {c['by_method']} dryRun={c['dry_run']}  "
              f"{'ok' if c['ok'] else 'MISS'}")
    if r.get("memory"):
        print()
        print("== provider processes (VmHWM = peak RSS from wait4; CPU = user+sys)")
        print(f"{'N':>5s} {'phase':8s} {'procs':>5s} {'max MiB':>8s} {'median':>8s} "
              f"{'prov CPU s':>10s} {'wall s':>7s}")
        for mrec in r["memory"]:
            for phase in ("apply", "plan"):
                p = mrec[phase]
                print(f"{mrec['n']:5d} {phase:8s} {p['processes']:5d} {p['vmhwm_max_mib']:8.1f} "
                      f"{p['vmhwm_median_mib']:8.1f} {p['provider_cpu_s']:10.2f} {p['wall_s']:7.2f}")
        big = max(r["memory"], key=lambda x: x["n"])
        ok = big["plan"]["vmhwm_max_mib"] < 10.0
        print(f"target: peak < 10 MiB during the {big['n']}-resource plan: "
              f"{'ok' if ok else 'MISS'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,100,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=200)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--terraform", default=shutil.which("terraform") or "terraform")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--no-memory", action="store_true", help="skip the memory series")
    ap.add_argument("--json", help="also write every figure to this file")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]

    r = {"runs": args.runs, "parallelism": args.parallelism, "build_s": None}
    if not args.no_build:
        r["build_s"] = build()
    tdir = target_dir()
    bins = {"provider": os.path.join(tdir, "release", "terraform-provider-immuta"),
            "emulator": os.path.join(tdir, "release", "immuta-emulator")}
    for b in bins.values():
        if not os.access(b, os.X_OK):
            raise SystemExit(f"bench: {b} is missing; build without --no-build")
    r["machine"] = machine(args.terraform)
    r["binary"] = {"path": bins["provider"], "bytes": os.stat(bins["provider"]).st_size}

    scratch = tempfile.mkdtemp(prefix="immuta-bench-")
    try:
        if args.startup_runs > 0:
            log(f"bench: start-up, {args.startup_runs} starts with and without AutoMTLS")
            startup(bins["provider"], 5, True)  # warm the page cache
            r["startup"] = {"mtls": startup(bins["provider"], args.startup_runs, True),
                            "plain": startup(bins["provider"], args.startup_runs, False)}
        rc = make_mirror(os.path.join(scratch, "plain"), bins["provider"])
        r["series"] = [timing_series(args, bins, scratch, rc, n) for n in sizes]
        if not args.no_memory:
            r["memory"] = [memory_series(args, bins, scratch, max(sizes))]
    finally:
        if args.keep:
            log(f"bench: scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    report(r)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=2)
    failed = [s["n"] for s in r["series"] if not s["request_check"]["ok"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
