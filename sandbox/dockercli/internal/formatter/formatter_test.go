package formatter

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func pinNow(t *testing.T) {
	t.Helper()
	old := Now
	Now = func() time.Time { return testNow }
	t.Cleanup(func() { Now = old })
}

func sampleContainers() []container.Summary {
	return []container.Summary{
		{
			ID:      "decd6fa93d76c2f1b5c4a5f33e0c1f5c2a3b4c5d6e7f8091a2b3c4d5e6f70819",
			Names:   []string{"/web"},
			Image:   "busybox:ref",
			ImageID: "sha256:7d6e28ff7985d148e7df28cdca791f521626ff63c543051af963642420d783ae",
			Command: "sleep 300",
			Created: testNow.Add(-3 * time.Second).Unix(),
			State:   container.StateRunning,
			Status:  "Up 2 seconds",
			Labels:  map[string]string{"b": "2", "a": "1"},
			Ports: []container.PortSummary{
				{PrivatePort: 7000, Type: "tcp"},
				{IP: netip.MustParseAddr("0.0.0.0"), PrivatePort: 9000, PublicPort: 9000, Type: "udp"},
				{IP: netip.MustParseAddr("0.0.0.0"), PrivatePort: 9001, PublicPort: 9001, Type: "udp"},
				{IP: netip.MustParseAddr("::"), PrivatePort: 9000, PublicPort: 9000, Type: "udp"},
				{IP: netip.MustParseAddr("::"), PrivatePort: 9001, PublicPort: 9001, Type: "udp"},
				{IP: netip.MustParseAddr("0.0.0.0"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
				{IP: netip.MustParseAddr("::"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
			},
		},
		{
			ID:         "47dafe77fe8497083a8b3946af2f9b9793e7641b5247aa1580ae0108ab238c26",
			Names:      []string{"/db", "/web/db"},
			Image:      "docker.io/library/redis:7@sha256:7d6e28ff7985d148e7df28cdca791f521626ff63c543051af963642420d783ae",
			Command:    "docker-entrypoint.sh redis-server --appendonly yes",
			Created:    testNow.Add(-90 * time.Second).Unix(),
			State:      container.StateExited,
			Status:     "Exited (0) About a minute ago",
			SizeRw:     12,
			SizeRootFs: 1984172,
		},
	}
}

func rows(cs []container.Summary, trunc bool) []any {
	var out []any
	for _, c := range cs {
		out = append(out, NewContainerContext(c, trunc))
	}
	return out
}

func TestContainerTable(t *testing.T) {
	pinNow(t)
	cases := []struct {
		name   string
		format string
		trunc  bool
		want   string
	}{
		{
			name:   "default table truncates ids, commands and digests",
			format: ContainerFormat("", false, false),
			trunc:  true,
			want: `CONTAINER ID   IMAGE         COMMAND                  CREATED              STATUS                          PORTS                                                                                                                NAMES
decd6fa93d76   busybox:ref   "sleep 300"              3 seconds ago        Up 2 seconds                    7000/tcp, 0.0.0.0:9000-9001->9000-9001/udp, [::]:9000-9001->9000-9001/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web
47dafe77fe84   redis:7       "docker-entrypoint.s…"   About a minute ago   Exited (0) About a minute ago                                                                                                                        db
`,
		},
		{
			name:   "quiet",
			format: ContainerFormat("", true, false),
			trunc:  true,
			want:   "decd6fa93d76\n47dafe77fe84\n",
		},
		{
			name:   "size column",
			format: `table {{.Names}}\t{{.Size}}`,
			trunc:  true,
			want:   "NAMES     SIZE\nweb       0B\ndb        12B (virtual 1.98MB)\n",
		},
		{
			name:   "label columns are titled by the label's last segment",
			format: `table {{.ID}}\t{{.Label "com.example.tier"}}\t{{.Labels}}`,
			trunc:  true,
			want:   "CONTAINER ID   tier      LABELS\ndecd6fa93d76             a=1,b=2\n47dafe77fe84             \n",
		},
		{
			name:   "template without table has no header",
			format: `{{.Names}}: {{.State}} {{upper .Status}}`,
			trunc:  true,
			want:   "web: running UP 2 SECONDS\ndb: exited EXITED (0) ABOUT A MINUTE AGO\n",
		},
		{
			name:   "no-trunc keeps full ids, commands and link names",
			format: `{{.ID}} {{.Names}} {{.Command}}`,
			trunc:  false,
			want:   "decd6fa93d76c2f1b5c4a5f33e0c1f5c2a3b4c5d6e7f8091a2b3c4d5e6f70819 web \"sleep 300\"\n47dafe77fe8497083a8b3946af2f9b9793e7641b5247aa1580ae0108ab238c26 db,web/db \"docker-entrypoint.sh redis-server --appendonly yes\"\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.format, ContainerHeader, rows(sampleContainers(), tc.trunc)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestContainerJSON(t *testing.T) {
	pinNow(t)
	var b bytes.Buffer
	if err := Write(&b, "json", ContainerHeader, rows(sampleContainers()[:1], true)); err != nil {
		t.Fatal(err)
	}
	want := `{"Command":"\"sleep 300\"","CreatedAt":"` + time.Unix(testNow.Add(-3*time.Second).Unix(), 0).String() + `","ID":"decd6fa93d76","Image":"busybox:ref","Labels":"a=1,b=2","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"","Platform":null,"Ports":"7000/tcp, 0.0.0.0:9000-9001-\u003e9000-9001/udp, [::]:9000-9001-\u003e9000-9001/udp, 0.0.0.0:8080-\u003e80/tcp, [::]:8080-\u003e80/tcp","RunningFor":"3 seconds ago","Size":"0B","State":"running","Status":"Up 2 seconds"}` + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestSizeFieldDetection(t *testing.T) {
	for format, want := range map[string]bool{
		"{{.ID}}":          false,
		"{{.Size}}":        true,
		"{{json .}}":       true,
		"json":             false, // the literal text "json", as the docker CLI probes it
		"table {{.Names}}": false,
	} {
		tmpl, err := ParseTemplate(format)
		if err != nil {
			t.Fatal(err)
		}
		probe := &ContainerContext{}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, probe); err != nil {
			t.Fatal(err)
		}
		if _, got := probe.FieldsUsed["Size"]; got != want {
			t.Errorf("%q uses Size: got %v, want %v", format, got, want)
		}
	}
}

func TestHumanizedDurations(t *testing.T) {
	pinNow(t)
	for ago, want := range map[time.Duration]string{
		0:                    "Less than a second ago",
		3 * time.Second:      "3 seconds ago",
		59 * time.Second:     "59 seconds ago",
		70 * time.Second:     "About a minute ago",
		2 * time.Minute:      "2 minutes ago",
		90 * time.Minute:     "2 hours ago",
		61 * time.Minute:     "About an hour ago",
		5 * time.Hour:        "5 hours ago",
		3 * 24 * time.Hour:   "3 days ago",
		15 * 24 * time.Hour:  "2 weeks ago",
		100 * 24 * time.Hour: "3 months ago",
		800 * 24 * time.Hour: "2 years ago",
	} {
		c := NewContainerContext(container.Summary{Created: testNow.Add(-ago).Unix()}, true)
		if got := c.RunningFor(); got != want {
			t.Errorf("%v: got %q, want %q", ago, got, want)
		}
	}
}

func TestDisplayablePorts(t *testing.T) {
	ip := netip.MustParseAddr
	cases := []struct {
		ports []container.PortSummary
		want  string
	}{
		{nil, ""},
		{[]container.PortSummary{{PrivatePort: 80, Type: "tcp"}}, "80/tcp"},
		{[]container.PortSummary{{PrivatePort: 80, Type: "tcp"}, {PrivatePort: 81, Type: "tcp"}, {PrivatePort: 83, Type: "tcp"}}, "80-81/tcp, 83/tcp"},
		{[]container.PortSummary{{IP: ip("127.0.0.1"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"}}, "127.0.0.1:8080->80/tcp"},
		{[]container.PortSummary{{IP: ip("0.0.0.0"), PrivatePort: 53, PublicPort: 53, Type: "udp"}}, "0.0.0.0:53->53/udp"},
		{[]container.PortSummary{{IP: ip("::"), PrivatePort: 80, PublicPort: 32768, Type: "tcp"}}, "[::]:32768->80/tcp"},
	}
	for _, tc := range cases {
		if got := displayablePorts(tc.ports); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.ports, got, tc.want)
		}
	}
}

func TestEllipsis(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 20, "short"},
		{"docker-entrypoint.sh redis", 20, "docker-entrypoint.s…"},
		{"abc", 1, "a"},
		{"abc", 0, ""},
		{"日本語のコマンドです", 7, "日本語…"},
	} {
		if got := Ellipsis(tc.in, tc.n); got != tc.want {
			t.Errorf("Ellipsis(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestWideCharactersAlign(t *testing.T) {
	var b bytes.Buffer
	tw := NewTableWriter(&b)
	tw.Write([]byte("NAME\tX\n日本語\t1\nab\t2\n"))
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NAME      X\n日本語    1\nab        2\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestImageRows(t *testing.T) {
	pinNow(t)
	images := []image.Summary{
		{ID: "sha256:7d6e28ff7985d148e7df28cdca791f521626ff63c543051af963642420d783ae", RepoTags: []string{"busybox:ref", "busybox:latest", "mirror.local/busybox:1"}, RepoDigests: []string{"busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111"}, Created: testNow.Add(-40 * time.Minute).Unix(), Size: 1984172, Containers: -1, SharedSize: -1},
		{ID: "sha256:42cf71e4b1f1aaaa", Created: testNow.Add(-300 * 24 * time.Hour).Unix(), Size: 1623000, Containers: -1, SharedSize: -1},
	}
	cases := []struct {
		name, format string
		digests      bool
		want         string
	}{
		{"default", ImageFormat("table", false, false), false,
			"REPOSITORY             TAG       IMAGE ID       CREATED          SIZE\nbusybox                ref       7d6e28ff7985   40 minutes ago   1.98MB\nbusybox                latest    7d6e28ff7985   40 minutes ago   1.98MB\nmirror.local/busybox   1         7d6e28ff7985   40 minutes ago   1.98MB\n<none>                 <none>    42cf71e4b1f1   10 months ago    1.62MB\n"},
		{"digests", ImageFormat("table", false, true), true,
			"REPOSITORY             TAG       DIGEST                                                                    IMAGE ID       CREATED          SIZE\nbusybox                ref       sha256:1111111111111111111111111111111111111111111111111111111111111111   7d6e28ff7985   40 minutes ago   1.98MB\nbusybox                latest    sha256:1111111111111111111111111111111111111111111111111111111111111111   7d6e28ff7985   40 minutes ago   1.98MB\nmirror.local/busybox   1         <none>                                                                    7d6e28ff7985   40 minutes ago   1.98MB\n<none>                 <none>    <none>                                                                    42cf71e4b1f1   10 months ago    1.62MB\n"},
		{"quiet", ImageFormat("table", true, false), false, "7d6e28ff7985\n7d6e28ff7985\n7d6e28ff7985\n42cf71e4b1f1\n"},
		{"json", "json", false, `{"Containers":"N/A","CreatedAt":"` + time.Unix(testNow.Add(-40*time.Minute).Unix(), 0).String() + `","CreatedSince":"40 minutes ago","Digest":"\u003cnone\u003e","ID":"7d6e28ff7985","Repository":"busybox","SharedSize":"N/A","Size":"1.98MB","Tag":"ref","UniqueSize":"N/A","VirtualSize":"1.984MB"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			needDigest := tc.digests || strings.Contains(tc.format, "{{.Digest}}")
			if err := Write(&b, tc.format, ImageHeader, ImageRows(images, true, tc.digests, needDigest)); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if tc.name == "json" {
				got = strings.SplitN(got, "\n", 2)[0]
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTemplateErrorsNameDockerTypes(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, "{{.Nope}}", ContainerHeader, rows(sampleContainers()[:1], true))
	if err == nil || !strings.Contains(err.Error(), "can't evaluate field Nope in type *formatter.ContainerContext") {
		t.Errorf("got %v", err)
	}
	err = Write(&b, "{{.Nope}}", ImageHeader, ImageRows([]image.Summary{{ID: "x"}}, true, false, false))
	if err == nil || !strings.Contains(err.Error(), "in type *formatter.imageContext") {
		t.Errorf("got %v", err)
	}
}
