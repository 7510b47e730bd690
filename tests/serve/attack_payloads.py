#!/usr/bin/env python3
"""AdmissionReviews a tenant who may create pods would send to get past bulkhead serve (issue: findings
flood, self-exemption, escaped bodies, objects being deleted, null objects, deep CRD templates, slow
shapes). Usage: attack_payloads.py NAME > review.json. Written the way the API server writes JSON (Go's
encoding/json: no spaces, <, > and & escaped as \\u003c, \\u003e, \\u0026)."""
import json
import sys

HARD = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"}}


def ctr(name, **sc):
    s = dict(HARD)
    s.update(sc)
    return {"name": name, "image": "registry.example.com/app:1.2", "securityContext": s}


def pod(containers, name="flood", ns="team", **spec):
    s = {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                             "seccompProfile": {"type": "RuntimeDefault"}},
         "containers": containers}
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}, "spec": s}


def review(obj, op="CREATE", old=None, uid=None, kind=None, **extra):
    kind = kind or {"group": "", "version": "v1", "kind": obj["kind"] if obj else "Pod"}
    req = {"uid": uid or "attack-1", "kind": kind,
           "resource": {"group": kind["group"], "version": kind["version"],
                        "resource": kind["kind"].lower() + "s"},
           "namespace": "team", "name": (obj or {}).get("metadata", {}).get("name", "x"), "operation": op,
           "userInfo": {"username": "mallory", "groups": ["system:authenticated"]},
           "object": obj, "oldObject": old, "dryRun": False}
    req.update(extra)
    return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": req}


def go_json(v):
    s = json.dumps(v, separators=(",", ":"))
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def caps_flood():
    adds = ["SYSLOG"] * 4100 + ["SYS_ADMIN", "SYS_MODULE", "ALL"]
    return review(pod([ctr("app", capabilities={"add": adds, "drop": ["ALL"]})]))


def containers_flood():
    ten = ["SYSLOG", "CHOWN", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE",
           "AUDIT_WRITE"]
    cs = [ctr("c%d" % i, capabilities={"add": ten, "drop": ["ALL"]}) for i in range(420)]
    cs.append(ctr("admin", capabilities={"add": ["SYS_ADMIN"], "drop": ["ALL"]}))
    return review(pod(cs))


def confine_flood():
    adds = ["SYSLOG"] * 4100
    c = ctr("app", capabilities={"add": adds, "drop": ["ALL"]}, procMount="Unmasked",
            appArmorProfile={"type": "Unconfined"}, seLinuxOptions={"type": "spc_t"})
    p = pod([c])
    p["spec"]["securityContext"]["sysctls"] = [{"name": "kernel.core_pattern", "value": "|/tmp/x"}]
    return review(p)


def ignore_annotation():
    p = pod([ctr("app", privileged=True)], hostPID=True)
    p["metadata"]["annotations"] = {"bulkhead.io/ignore": "BH0001,BH0002,BH0201 approved by me"}
    return review(p)


def escaped_body():
    """A privileged pod whose annotation is 600 KB of '<': 3.6 MB once the API server escapes it."""
    p = pod([ctr("app", privileged=True)])
    p["metadata"]["annotations"] = {"pad": "<" * 600000}
    return review(p)


def deleting_update():
    old = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "team", "deletionTimestamp": "2026-01-01T00:00:00Z",
                        "finalizers": ["example.com/hold"]},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod([ctr("app")])["spec"]}}}
    new = json.loads(json.dumps(old))
    new["spec"]["template"]["spec"]["containers"].append(ctr("evil", privileged=True))
    return review(new, op="UPDATE", old=old, kind={"group": "apps", "version": "v1", "kind": "Deployment"})


def deleting_finalizer():
    r = deleting_update()
    old = r["request"]["oldObject"]
    old["spec"]["template"]["spec"]["containers"].append(ctr("evil", privileged=True))
    new = json.loads(json.dumps(old))
    new["metadata"]["finalizers"] = []
    r["request"]["object"] = new
    return r


def null_object():
    return review(None, kind={"group": "", "version": "v1", "kind": "Pod"})


def deep_crd():
    obj = {"apiVersion": "example.com/v1", "kind": "Runner", "metadata": {"name": "r", "namespace": "team"},
           "spec": {"workload": {"template": {"spec": pod([ctr("app", privileged=True)])["spec"]}}}}
    return review(obj, kind={"group": "example.com", "version": "v1", "kind": "Runner"})


def slow_shape(n_ctr=1400, n_vol=5000, n_mounts=20):
    """containers x hostPath volumes: many of both, names of one length so that every comparison of a
    mount with a volume reads the whole name (about the 2.27 MB pod that took 5.96 s)."""
    vols = [{"name": "vol-%06d" % i, "hostPath": {"path": "/srv/data/%d" % i}} for i in range(n_vol)]
    cs = []
    for i in range(n_ctr):
        c = ctr("c%d" % i)
        c["volumeMounts"] = [{"name": "vol-%06d" % ((i * n_mounts + k) % n_vol), "mountPath": "/m/%d" % k,
                              "readOnly": True} for k in range(n_mounts)]
        cs.append(c)
    return review(pod(cs, name="slow", volumes=vols))


def shape(kind, n):
    """Other shapes a rule could be superlinear in: N containers with ports and env, N sysctls, N added
    capabilities, N mounts of N non-hostPath volumes, N init + N ephemeral containers."""
    c = lambda i: ctr("c%06d" % i)
    cs, extra = [c(0)], {}
    if kind == "containers":
        cs = [dict(c(i), ports=[{"containerPort": 1000 + k} for k in range(5)],
                   env=[{"name": "E%d" % k, "value": "x"} for k in range(5)]) for i in range(n)]
    elif kind == "sysctls":
        extra["securityContext"] = {"runAsNonRoot": True, "sysctls": [{"name": "kernel.x%06d" % i, "value": "1"}
                                                                      for i in range(n)]}
    elif kind == "caps":
        cs[0]["securityContext"]["capabilities"] = {"add": ["X%06d" % i for i in range(n)], "drop": ["ALL"]}
    elif kind == "mounts":
        cs[0]["volumeMounts"] = [{"name": "v%06d" % i, "mountPath": "/m%d" % i} for i in range(n)]
        extra["volumes"] = [{"name": "v%06d" % i, "emptyDir": {}} for i in range(n)]
    elif kind == "ephemeral":
        extra["initContainers"] = [c(i) for i in range(n)]
        extra["ephemeralContainers"] = [c(i) for i in range(n)]
    return review(pod(cs, name="shape", **extra))


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.stdout.write(go_json(shape(sys.argv[1], int(sys.argv[2]))))
    else:
        sys.stdout.write(go_json(globals()[sys.argv[1].replace("-", "_")]()))
