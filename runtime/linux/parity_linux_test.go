package linux

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// The parity tests run the same commands in a real Docker and in boxlab's
// runtime, on the same busybox image, and compare what the container sees.
// They need a Docker engine with the image (BOXLAB_PARITY_IMAGE, default
// busybox:ref) and are skipped otherwise.

var parity struct {
	once   sync.Once
	skip   string
	image  string
	rootfs string
}

func parityImage(t *testing.T) string {
	t.Helper()
	needRoot(t)
	parity.once.Do(func() {
		parity.image = os.Getenv("BOXLAB_PARITY_IMAGE")
		if parity.image == "" {
			parity.image = "busybox:ref"
		}
		if _, err := exec.LookPath("docker"); err != nil {
			parity.skip = "no docker command for the parity tests"
			return
		}
		out, err := exec.Command("docker", "create", parity.image).Output()
		if err != nil {
			parity.skip = "no Docker engine with " + parity.image + " for the parity tests"
			return
		}
		id := strings.TrimSpace(string(out))
		defer exec.Command("docker", "rm", id).Run()
		dir, err := os.MkdirTemp("", "boxlab-parity-")
		if err != nil {
			parity.skip = err.Error()
			return
		}
		cmd := exec.Command("sh", "-c", "docker export "+id+" | tar -x -C "+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			parity.skip = "docker export: " + string(out)
			return
		}
		parity.rootfs = dir
	})
	if parity.skip != "" {
		t.Skip(parity.skip)
	}
	return parity.rootfs
}

// inDocker runs sh -c script in the reference Docker.
func inDocker(t *testing.T, flags []string, script string) string {
	t.Helper()
	args := append([]string{"run", "--rm", "--hostname", "parity"}, flags...)
	args = append(args, parity.image, "sh", "-c", script)
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// inBoxlab runs sh -c script in a boxlab container of the same image.
func inBoxlab(t *testing.T, edit func(*Spec), script string) string {
	t.Helper()
	spec := newSpec(t, "sh", "-c", script)
	spec.Rootfs.Lower = []string{parityImage(t)}
	spec.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	spec.Hostname = "parity"
	if edit != nil {
		edit(spec)
	}
	r := mustRun(t, spec)
	return r.stdout + r.stderr
}

func TestParityWithDocker(t *testing.T) {
	parityImage(t)
	tests := []struct {
		name   string
		flags  []string
		edit   func(*Spec)
		script string
	}{
		{"identity and capabilities", nil, nil, "id; grep -E '^(Cap|NoNewPrivs|Uid|Gid|Groups)' /proc/self/status; umask; pwd; echo $HOME"},
		{"a user", []string{"-u", "1000:1000"}, func(s *Spec) { s.User = "1000:1000" }, "id; grep -E '^(Cap|Groups)' /proc/self/status; echo $HOME"},
		{"workdir", []string{"-w", "/new/dir"}, func(s *Spec) { s.Cwd = "/new/dir" }, "pwd; ls -ld /new /new/dir | cut -c1-10"},
		{"cap tweaks", []string{"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"}, func(s *Spec) { s.CapDrop = []string{"ALL"}; s.CapAdd = []string{"NET_BIND_SERVICE"} }, "grep Cap /proc/self/status"},
		{"/dev", nil, nil, "cd /dev && for f in $(ls -A /dev | sort); do stat -c '%n %A %u %g %t %T' $f; done; for l in fd stdin stdout stderr ptmx; do echo $l $(readlink $l); done"},
		{"/dev with a tty", []string{"-t"}, func(s *Spec) { s.Tty = true }, "stat -c '%n %A %u %g %t %T' /dev/console /dev/pts/0 /dev/pts/ptmx; tty"},
		{"pid 1 and hostname", nil, nil, "echo $$; hostname; cat /proc/sys/kernel/domainname"},
		{"network", []string{"--network", "none"}, nil, "cat /sys/class/net/lo/operstate /sys/class/net/lo/flags; ls /sys/class/net"},
		{"masked and read-only paths", nil, nil, "cat /proc/keys /proc/timer_list | wc -c; ls /sys/firmware | wc -l; touch /proc/sys/kernel/x 2>&1; echo 1 > /proc/sysrq-trigger 2>&1 | head -1"},
		{"read-only rootfs", []string{"--read-only"}, func(s *Spec) { s.ReadonlyRootfs = true }, "touch /x 2>&1; touch /dev/shm/x && echo shm ok"},
		{"cgroups", nil, nil, "ls /sys/fs/cgroup; awk -F: '{print $1, $2}' /proc/self/cgroup"},
		{"mounts", nil, nil, `awk '$5 ~ "^/(proc|dev|sys)" && $5 !~ "^/sys/fs/cgroup/" { n=split($0,a," - "); split(a[2],b," "); print $5, $6, b[1], b[3] }' /proc/self/mountinfo | sort`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := inDocker(t, tt.flags, tt.script)
			got := inBoxlab(t, tt.edit, tt.script)
			if got != want {
				t.Errorf("boxlab:\n%s\ndocker:\n%s", got, want)
			}
		})
	}
}
