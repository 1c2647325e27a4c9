package replay

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procAttr puts a function's process in a group of its own and asks Linux
// to kill it should albcheck die without cleaning up (SIGKILL leaves no
// chance to).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from linux/prctl.h.
const prSetChildSubreaper = 36

var subreaper sync.Once

// prepareOwner makes albcheck the subreaper of its descendants (Linux 3.4):
// a process whose parent dies is re-parented to albcheck rather than to
// init, so what a function leaves behind, even in a session of its own,
// stays where albcheck can find it, end it and reap it. Chosen over a
// cgroup, which needs root or a delegated hierarchy, and over
// PR_SET_PDEATHSIG alone, which reaches only the direct child.
func prepareOwner() {
	subreaper.Do(func() {
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}

// kill ends the process and every process it started.
func (o *owned) kill() {
	if o.cmd.Process == nil {
		return
	}
	killTree(o.cmd.Process.Pid)
	o.sweep()
}

// cleanup ends whatever the process left behind once it has exited: the
// rest of its process group and the processes re-parented to albcheck that
// carry its mark.
func (o *owned) cleanup() {
	if o.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-o.cmd.Process.Pid, syscall.SIGKILL)
	o.sweep()
	o.reapGroup()
}

// reapGroup reaps the members of the process's group that died after it:
// re-parented to albcheck, the subreaper, they stayed zombies for as long
// as albcheck ran (serve: a dozen per stopped environment whose function
// had started children). A zombie keeps its group in /proc/PID/stat, so
// only this environment's are taken, never a process of someone else's.
func (o *owned) reapGroup() {
	self, group := os.Getpid(), strconv.Itoa(o.cmd.Process.Pid)
	for range 20 { // killed members take a moment to die
		members := 0
		for _, pid := range childrenOf(self) {
			f := statFields(pid)
			if len(f) < 3 || f[2] != group {
				continue
			}
			members++
			if f[0] == "Z" {
				var ws syscall.WaitStatus
				_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
			}
		}
		if members == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sweep ends and reaps albcheck's re-parented children that carry the
// mark, and the orphans that carry no mark at all.
func (o *owned) sweep() {
	self := os.Getpid()
	for range 4 { // a dying tree re-parents its survivors: look again
		var found []int
		starting.Lock()
		for _, pid := range childrenOf(self) {
			if pid == o.cmd.Process.Pid {
				continue
			}
			if mark, ok := markOf(pid); (ok && mark == o.token) || (!ok && isOrphan(pid)) {
				found = append(found, pid)
			}
		}
		starting.Unlock()
		if len(found) == 0 {
			return
		}
		for _, pid := range found {
			killTree(pid)
			// Not started through os/exec, so nobody else waits for it.
			var ws syscall.WaitStatus
			_, _ = syscall.Wait4(pid, &ws, 0, nil)
		}
	}
}

// isOrphan reports whether a child of albcheck without the mark is a
// function's descendant that emptied its environment and started a
// session of its own (a daemon's double fork with setsid, say), re-parented
// to albcheck as the subreaper: it is not one of albcheck's owned
// processes (those are in live; the caller holds starting, so none is
// between its start and live) and it is outside albcheck's session, which
// every child started otherwise stays in (os/exec without Setsid; a test
// of the user's that starts its own helpers in a group of their own keeps
// them). Such a process cannot be told apart from the orphans of another
// environment of albcheck's, so any environment's end ends all of them: a
// function's helper that hid its trail that well lives at most as long as
// the first environment to stop.
func isOrphan(pid int) bool {
	if !ownAll.Load() {
		return false // OwnAllDescendants: a library user's daemons are theirs
	}
	for _, o := range live.list(false) {
		if o.cmd.Process != nil && o.cmd.Process.Pid == pid {
			return false
		}
	}
	f := statFields(pid)
	if len(f) < 4 {
		return false
	}
	sid, err := strconv.Atoi(f[3])
	if err != nil {
		return false
	}
	own, err := unixGetsid()
	return err == nil && sid != own
}

// unixGetsid is getsid(0), albcheck's session, which package syscall does
// not wrap on Linux.
func unixGetsid() (int, error) {
	sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(sid), nil
}

// killTree stops the process and all its descendants (so that none can
// fork while the tree is walked), then kills them all. Zombies ignore both.
func killTree(root int) {
	seen := map[int]bool{}
	for range 3 { // a second walk catches a child forked during the first
		grew := false
		queue := []int{root}
		for len(queue) > 0 {
			pid := queue[0]
			queue = queue[1:]
			if !seen[pid] {
				seen[pid] = true
				grew = true
				_ = syscall.Kill(pid, syscall.SIGSTOP)
			}
			queue = append(queue, childrenOf(pid)...)
		}
		if !grew {
			break
		}
	}
	_ = syscall.Kill(-root, syscall.SIGKILL) // its group, members not found by the walk included
	for pid := range seen {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// childrenOf lists a process's children from /proc/PID/task/TID/children
// (Linux 3.5 with CONFIG_PROC_CHILDREN, which distributions enable), or from
// every process's parent when that file is missing.
func childrenOf(pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var kids []int
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/children")
		if err != nil {
			if os.IsNotExist(err) {
				return childrenByScan(pid)
			}
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}

// childrenByScan finds a process's children by reading every process's
// parent from /proc/PID/stat.
func childrenByScan(parent int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(pid); len(f) > 1 {
			if ppid, err := strconv.Atoi(f[1]); err == nil && ppid == parent {
				kids = append(kids, pid)
			}
		}
	}
	return kids
}

// statFields reads /proc/PID/stat after the command's name: state, ppid,
// pgrp, session and the rest. The name may hold spaces and parentheses, so
// the fields start after its last ')'.
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// markOf returns the value of ownerEnv in the process's environment, and
// whether it has one.
func markOf(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	prefix := []byte(ownerEnv + "=")
	for kv := range bytes.SplitSeq(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, prefix); ok {
			return string(v), true
		}
	}
	return "", false
}
