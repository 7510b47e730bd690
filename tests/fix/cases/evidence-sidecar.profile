{"profile":{"target":"web-7d9c","cgroup":"/sys/fs/cgroup/kubepods.slice/cri-containerd-7d9c.scope","cgroup_id":4242,
 "duration":600.0,"complete":true,"preexisting_tasks":0,
 "seccomp":{"file":"web.json","localhostProfile":"bulkhead/clock-app.json","added":["fstatfs","epoll_ctl"]},
 "syscalls":[{"nr":0,"name":"read"},{"nr":49,"name":"bind"}],"syscalls_compat":[],
 "capabilities":{"add":["CHOWN","FOWNER"],"checked":["NET_BIND_SERVICE","SYS_ADMIN"],"denied":["SYS_ADMIN"]},
 "counts":{"syscalls":123456,"unarmed":900,"out_of_range":0,"x32":0,"tasks_full":0}}}
