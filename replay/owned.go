package replay

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
)

// ownerEnv marks the environment of every process albcheck starts for a
// function. Children inherit it, so a process that left the function's
// process group (setsid, a daemon's double fork) is still known as the
// function's: the only trace that survives both a new session and the death
// of its parent.
const ownerEnv = "ALBCHECK_FUNCTION_PROCESS"

var ownedSeq atomic.Int64

// starting is held (shared) from starting an owned process until it is in
// live, and exclusively while albcheck's orphans are swept: a process just
// started is in a group of its own but not yet known, and would look like
// an orphan.
var starting sync.RWMutex

// live holds the owned processes not yet ended, for StopAll.
var live registry[*owned]

// StopAll ends every function process this package started and whatever
// they started, without waiting for them: for a second Ctrl-C or SIGTERM,
// when albcheck exits at once and no handler's Close will run.
func StopAll() {
	for _, o := range live.list(false) {
		o.kill()
	}
}

// owned is one function process and everything it starts. A function's
// processes end with it: when it is killed, when it exits by itself, and
// when albcheck stops, as a Lambda execution environment ends whole.
type owned struct {
	cmd   *exec.Cmd
	token string // the value of ownerEnv in the process's environment
}

// OwnAllDescendants declares that this program starts no long-lived
// process of its own outside its session, so that (on Linux) every process
// re-parented to it without albcheck's mark is a function's descendant that
// hid its trail (a double fork, setsid, an emptied environment) and is
// ended with the function's environment. The albcheck command calls it. A
// test process that uses albtest does not: a database or server its own
// test started as a daemon looks just the same, and must live on; there a
// function's escaped descendant is ended only when its mark shows it.
func OwnAllDescendants() { ownAll.Store(true) }

var ownAll atomic.Bool

// startOwned starts cmd as an owned process: in a process group of its own
// (so that Ctrl-C in albcheck's terminal reaches albcheck alone, which then
// stops it), marked with ownerEnv, and on Linux with albcheck as the
// subreaper of whatever it leaves behind.
func startOwned(cmd *exec.Cmd) (*owned, error) {
	o := &owned{cmd: cmd, token: fmt.Sprintf("%d.%d", os.Getpid(), ownedSeq.Add(1))}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, ownerEnv+"="+o.token)
	cmd.SysProcAttr = procAttr()
	prepareOwner()
	starting.RLock()
	defer starting.RUnlock()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	live.add(o)
	return o, nil
}

// forget takes an ended process out of the registry, once what it left
// behind has been ended too.
func (o *owned) forget() { live.remove(o) }
