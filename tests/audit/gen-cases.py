import json, sys, os, copy
OUT = sys.argv[1]
USERS = {
 'tenant': {"username": "tenant", "groups": ["tenants", "system:authenticated"]},
 'other': {"username": "bob", "groups": ["tenants", "system:authenticated"]},
 'admin': {"username": "admin", "groups": ["system:masters", "system:authenticated"]},
 'anon': {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
 'sa': {"username": "system:serviceaccount:team:builder", "uid": "7f0c", "groups": ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"], "extra": {"authentication.kubernetes.io/pod-name": ["builder-5d8f"]}},
 'node': {"username": "system:node:worker-1", "groups": ["system:nodes", "system:authenticated"]},
 'csrctl': {"username": "system:serviceaccount:kube-system:certificate-controller", "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
}
UA = {'tenant': "kubectl/v1.34.1 (linux/amd64) kubernetes/93248f9", 'other': "kubectl/v1.34.1 (linux/amd64) kubernetes/93248f9",
      'admin': "kubectl/v1.34.1 (linux/amd64) kubernetes/93248f9", 'anon': "curl/7.88.1", 'sa': "python-requests/2.31", 'node': "kubelet/v1.34.1 (linux/amd64) kubernetes/93248f9",
      'csrctl': "kube-controller-manager/v1.34.1 (linux/amd64) kubernetes/93248f9/system:serviceaccount:kube-system:certificate-controller"}
n = [0]
def ev(user, verb, uri, ref=None, code=200, stage="ResponseComplete", level="RequestResponse", req=None, resp=None, t="2026-12-01T22:00:00", decision=None):
    n[0] += 1
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
         "auditID": "%08x-0000-4000-8000-%012x" % (n[0] * 7919, n[0]), "stage": stage, "requestURI": uri, "verb": verb,
         "user": USERS[user], "sourceIPs": ["10.0.0.%d" % (10 + list(USERS).index(user))], "userAgent": UA[user]}
    if ref: e["objectRef"] = ref
    if code: e["responseStatus"] = {"metadata": {}, "code": code} if code < 300 or code == 101 else {"metadata": {}, "status": "Failure", "message": "forbidden", "reason": "Forbidden", "code": code}
    if req is not None and level in ("Request", "RequestResponse"): e["requestObject"] = req
    if resp is not None and level == "RequestResponse": e["responseObject"] = resp
    e["requestReceivedTimestamp"] = t + ".000000Z"
    e["stageTimestamp"] = t + ".012345Z"
    d = decision or ("allow" if code and (code < 300 or code == 101) or code == 0 else "forbid")
    e["annotations"] = {"authorization.k8s.io/decision": d, "authorization.k8s.io/reason": ""}
    return e
def podref(ns, name, sub=None):
    r = {"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r
def pod(name, ns="team", spec=None):
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns}, "spec": spec or {"containers": [{"name": "app", "image": "registry.example/app@sha256:" + "a"*64}]}}
HARD = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "automountServiceAccountToken": False,
        "containers": [{"name": "app", "image": "registry.example/app@sha256:" + "a"*64, "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}}]}
PRIV = {"hostPID": True, "containers": [{"name": "shell", "image": "alpine:3.20", "command": ["sleep", "infinity"], "securityContext": {"privileged": True}}]}
SOCK = {"containers": [{"name": "app", "image": "docker:27", "volumeMounts": [{"name": "sock", "mountPath": "/var/run/docker.sock"}]}], "volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}]}
ROOT = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
def write(name, events, raw=None):
    with open(os.path.join(OUT, name + ".jsonl"), "w") as f:
        for e in events:
            f.write(e if isinstance(e, str) else json.dumps(e, separators=(",", ":")))
            f.write("\n")
def podcreate(user, name, spec, code=201, t="2026-12-01T22:00:00", level="RequestResponse", stage="ResponseComplete"):
    p = pod(name, spec=spec)
    return ev(user, "create", "/api/v1/namespaces/team/pods?fieldManager=kubectl-run", podref("team", name), code, req=p, resp=p if code == 201 else {"kind":"Status","apiVersion":"v1","status":"Failure","code":code}, t=t, level=level, stage=stage)
def session(user, name, sub="exec", code=101, stage="ResponseStarted", t="2026-12-01T22:01:00", verb="create", aid=None):
    e = ev(user, verb, "/api/v1/namespaces/team/pods/%s/%s?command=sh&container=shell&stdin=true&stdout=true&tty=true" % (name, sub), podref("team", name, sub), code, stage=stage, t=t)
    if aid: e["auditID"] = aid
    return e

# ---- workload ----
dep = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "builder", "namespace": "team"},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "b"}}, "template": {"metadata": {"labels": {"app": "b"}}, "spec": SOCK}}}
eph = pod("web", spec=dict(HARD, ephemeralContainers=[{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app", "securityContext": {"privileged": True}}]))
write("workload-pos", [
    podcreate("tenant", "evil", PRIV),
    ev("tenant", "create", "/apis/apps/v1/namespaces/team/deployments?fieldManager=kubectl-create", {"resource": "deployments", "namespace": "team", "name": "builder", "apiGroup": "apps", "apiVersion": "v1"}, 201, req=dep, resp=dep),
    podcreate("other", "evil2", PRIV, code=403),
    ev("tenant", "patch", "/api/v1/namespaces/team/pods/web/ephemeralcontainers", podref("team", "web", "ephemeralcontainers"), 200, req={"spec": {"ephemeralContainers": eph["spec"]["ephemeralContainers"]}}, resp=eph),
])
write("workload-neg", [
    podcreate("tenant", "web", HARD),
    podcreate("tenant", "nginx", ROOT),
    podcreate("tenant", "evil", PRIV, stage="RequestReceived", code=0),
    ev("tenant", "get", "/api/v1/namespaces/team/pods/evil", podref("team", "evil"), 200, resp=pod("evil", spec=PRIV)),
    ev("tenant", "delete", "/api/v1/namespaces/team/pods/evil", podref("team", "evil"), 200),
])
# ---- sessions ----
write("session-pos", [
    podcreate("tenant", "evil", PRIV, t="2026-12-01T22:00:00"),
    session("tenant", "evil", t="2026-12-01T22:01:00", aid="5e55-0001"),
    session("tenant", "evil", t="2026-12-01T22:01:00", stage="ResponseComplete", code=101, aid="5e55-0001"),
    session("other", "evil", "attach", t="2026-12-01T22:02:00"),
    session("other", "evil", "exec", verb="get", code=400, stage="ResponseComplete", t="2026-12-01T22:03:00"),
    session("other", "evil", "exec", verb="create", code=400, stage="ResponseComplete", t="2026-12-01T22:03:01"),
])
s2 = session("tenant", "evil", t="2026-12-01T23:30:00")
write("session-neg", [
    podcreate("tenant", "web", HARD),
    session("tenant", "web"),
    session("tenant", "unknown-pod"),
    ev("tenant", "get", "/api/v1/namespaces/team/pods/web/log", podref("team", "web", "log"), 200),
])
write("session-recreated", [
    podcreate("tenant", "evil", PRIV, t="2026-12-01T22:00:00"),
    ev("tenant", "delete", "/api/v1/namespaces/team/pods/evil", podref("team", "evil"), 200, t="2026-12-01T22:00:10"),
    podcreate("tenant", "evil", HARD, t="2026-12-01T22:00:20"),
    session("tenant", "evil", t="2026-12-01T22:01:00"),
])
write("session-late", [
    podcreate("tenant", "evil", PRIV, t="2026-12-01T22:00:00"),
    s2,
])
# ---- nodes/proxy ----
write("nodeproxy-pos", [
    ev("tenant", "create", "/api/v1/nodes/worker-1/proxy/run/kube-system/kube-proxy-x/kube-proxy?cmd=id", {"resource": "nodes", "name": "worker-1", "subresource": "proxy", "apiVersion": "v1"}, 200, level="Metadata"),
    ev("other", "get", "/api/v1/nodes/worker-1/proxy/pods", {"resource": "nodes", "name": "worker-1", "subresource": "proxy", "apiVersion": "v1"}, 403, level="Metadata"),
])
write("nodeproxy-neg", [
    ev("tenant", "get", "/api/v1/nodes/worker-1", {"resource": "nodes", "name": "worker-1", "apiVersion": "v1"}, 200),
    ev("node", "get", "/api/v1/nodes/worker-1/status", {"resource": "nodes", "name": "worker-1", "subresource": "status", "apiVersion": "v1"}, 200),
])
# ---- ephemeral ----
ephok = pod("web", spec=dict(HARD, ephemeralContainers=[{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app"}]))
write("ephemeral-pos", [
    ev("tenant", "patch", "/api/v1/namespaces/team/pods/web/ephemeralcontainers", podref("team", "web", "ephemeralcontainers"), 200, req={"spec": {"ephemeralContainers": ephok["spec"]["ephemeralContainers"]}}, resp=ephok),
])
write("ephemeral-neg", [
    ev("tenant", "patch", "/api/v1/namespaces/team/pods/web/ephemeralcontainers", podref("team", "web", "ephemeralcontainers"), 403, req={"spec": {"ephemeralContainers": ephok["spec"]["ephemeralContainers"]}}),
    ev("tenant", "get", "/api/v1/namespaces/team/pods/web/ephemeralcontainers", podref("team", "web", "ephemeralcontainers"), 200),
])
# ---- RBAC ----
def rbac(user, verb, kind, name, obj, ns=None, code=201):
    res = kind.lower() + "s"
    ref = {"resource": res, "name": name, "apiGroup": "rbac.authorization.k8s.io", "apiVersion": "v1"}
    if ns: ref["namespace"] = ns
    uri = "/apis/rbac.authorization.k8s.io/v1/" + ("namespaces/%s/" % ns if ns else "") + res
    return ev(user, verb, uri, ref, code, req=obj, resp=obj if code < 300 else None)
cr = {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "debugger"}, "rules": [{"apiGroups": [""], "resources": ["pods", "pods/exec"], "verbs": ["get", "create"]}, {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]}
crb = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "tenant-admin"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "tenant"}]}
rb = {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "dbg", "namespace": "team"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "debugger"}, "subjects": [{"kind": "ServiceAccount", "name": "builder", "namespace": "team"}]}
wild = {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "all", "namespace": "team"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
write("rbac-pos", [
    rbac("admin", "create", "ClusterRole", "debugger", cr),
    rbac("admin", "create", "ClusterRoleBinding", "tenant-admin", crb),
    rbac("admin", "create", "RoleBinding", "dbg", rb, ns="team"),
    rbac("tenant", "create", "Role", "all", wild, ns="team", code=403),
])
view = {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "cm-reader", "namespace": "team"}, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}
viewb = {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "viewers", "namespace": "team"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "tenants"}]}
write("rbac-neg", [
    rbac("admin", "create", "Role", "cm-reader", view, ns="team"),
    rbac("admin", "create", "RoleBinding", "viewers", viewb, ns="team"),
    rbac("admin", "get", "ClusterRole", "debugger", None, code=200),
])
# ---- tokens ----
def tok(user, ns, sa, code=201):
    return ev(user, "create", "/api/v1/namespaces/%s/serviceaccounts/%s/token" % (ns, sa), {"resource": "serviceaccounts", "namespace": ns, "name": sa, "subresource": "token", "apiVersion": "v1"}, code, req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None}, "spec": {"audiences": None, "expirationSeconds": 3600, "boundObjectRef": None}, "status": {"token": "", "expirationTimestamp": None}})
write("token-pos", [tok("tenant", "team", "default"), tok("sa", "kube-system", "daemon-set-controller")])
write("token-neg", [tok("tenant", "kube-system", "daemon-set-controller", code=403),
    ev("tenant", "get", "/api/v1/namespaces/team/serviceaccounts/default", {"resource": "serviceaccounts", "namespace": "team", "name": "default", "apiVersion": "v1"}, 200)])
# ---- CSR ----
def csr(user, verb, name, signer, sub=None, code=201):
    obj = {"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1", "metadata": {"name": name}, "spec": {"request": "LS0tLS1CRUdJTi...", "signerName": signer, "usages": ["digital signature", "client auth"]}}
    if sub:
        obj["status"] = {"conditions": [{"type": "Approved", "status": "True", "reason": "manual", "message": "approved", "lastUpdateTime": None}]}
    ref = {"resource": "certificatesigningrequests", "name": name, "apiGroup": "certificates.k8s.io", "apiVersion": "v1"}
    if sub: ref["subresource"] = sub
    return ev(user, verb, "/apis/certificates.k8s.io/v1/certificatesigningrequests" + ("/%s/%s" % (name, sub) if sub else ""), ref, code, req=obj, resp=obj)
K = "kubernetes.io/kube-apiserver-client-kubelet"
write("csr-pos", [csr("tenant", "create", "node-csr-evil", K), csr("tenant", "update", "node-csr-evil", K, sub="approval", code=200)])
write("csr-neg", [csr("node", "create", "node-csr-ok", K), csr("csrctl", "update", "node-csr-ok", K, sub="approval", code=200),
    csr("tenant", "create", "app-client", "kubernetes.io/kube-apiserver-client")])
# ---- anonymous ----
write("anonymous-pos", [ev("anon", "list", "/api/v1/namespaces/kube-system/secrets", {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, 200, level="Metadata")])
write("anonymous-neg", [ev("anon", "get", "/healthz", None, 200, level="Metadata"), ev("anon", "get", "/version", None, 200, level="Metadata"),
    ev("anon", "list", "/api/v1/namespaces/kube-system/secrets", {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, 403, level="Metadata")])
# ---- SA lists secrets ----
write("secrets-pos", [ev("sa", "list", "/api/v1/secrets?limit=500", {"resource": "secrets", "apiVersion": "v1"}, 200, level="Metadata")])
write("secrets-neg", [ev("sa", "list", "/api/v1/namespaces/team/secrets", {"resource": "secrets", "namespace": "team", "apiVersion": "v1"}, 200, level="Metadata"),
    ev("admin", "list", "/api/v1/secrets", {"resource": "secrets", "apiVersion": "v1"}, 200, level="Metadata"),
    ev("sa", "list", "/api/v1/secrets", {"resource": "secrets", "apiVersion": "v1"}, 403, level="Metadata")])
# ---- webhooks ----
def vwc(user, verb, name, code=200, kind="validatingwebhookconfigurations"):
    return ev(user, verb, "/apis/admissionregistration.k8s.io/v1/%s/%s" % (kind, name), {"resource": kind, "name": name, "apiGroup": "admissionregistration.k8s.io", "apiVersion": "v1"}, code)
write("webhook-pos", [vwc("tenant", "delete", "bulkhead"), vwc("admin", "patch", "other-policy"), vwc("other", "delete", "bulkhead", code=403)])
write("webhook-neg", [vwc("admin", "get", "bulkhead"), vwc("tenant", "delete", "other-policy", code=403), vwc("admin", "create", "bulkhead", code=201)])
# ---- PSA ----
def nsev(user, verb, name, req, code=200):
    return ev(user, verb, "/api/v1/namespaces/" + name, {"resource": "namespaces", "name": name, "apiVersion": "v1"}, code, req=req)
write("psa-pos", [
    nsev("tenant", "patch", "team", {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}),
    nsev("tenant", "patch", "dev", [{"op": "remove", "path": "/metadata/labels/pod-security.kubernetes.io~1enforce"}]),
    nsev("admin", "create", "lab", {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "lab", "labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}, code=201),
])
write("psa-neg", [
    nsev("tenant", "patch", "team", {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
    nsev("tenant", "patch", "team", {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}, code=403),
    nsev("tenant", "patch", "team", {"metadata": {"labels": {"team": "x"}}}),
])
# ---- blind spot ----
write("blindspot-pos", [podcreate("tenant", "evil", PRIV, level="Metadata"), podcreate("tenant", "evil3", PRIV, level="Metadata")])
write("blindspot-neg", [podcreate("tenant", "web", HARD), ev("tenant", "get", "/api/v1/namespaces/team/pods", {"resource": "pods", "namespace": "team", "apiVersion": "v1"}, 200, level="Metadata")])
# ---- bad input ----
good = podcreate("tenant", "evil", PRIV)
gs = json.dumps(good, separators=(",", ":"))
bad_ver = copy.deepcopy(good); bad_ver["apiVersion"] = "audit.k8s.io/v1beta1"
noid = copy.deepcopy(good); del noid["auditID"]
big = copy.deepcopy(podcreate("tenant", "big", HARD)); big["requestObject"]["metadata"]["annotations"] = {"x": "y" * 70000}
write("badinput", [
    gs[: len(gs) // 2],
    json.dumps(bad_ver, separators=(",", ":")),
    "this is not json",
    json.dumps(noid, separators=(",", ":")),
    json.dumps(big, separators=(",", ":")),
    "{\"kind\":\"Event\"} {\"kind\":\"Event\"}",
    session("tenant", "evil"),
    json.dumps(podcreate("tenant", "evil9", PRIV), separators=(",", ":")),
])
# ---- EventList, pretty-printed, and duplicates (webhook retries) ----
el = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": [podcreate("tenant", "evil", PRIV), session("tenant", "evil")]}
with open(os.path.join(OUT, "eventlist.json"), "w") as f:
    json.dump(el, f, indent=2)
    f.write("\n")
d1 = podcreate("tenant", "evil", PRIV)
write("duplicates", [d1, d1, session("tenant", "evil")])
