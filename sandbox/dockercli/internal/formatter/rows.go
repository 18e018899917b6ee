package formatter

import (
	"fmt"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client/pkg/stringid"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Now is the clock used for "2 minutes ago"; tests pin it.
// Now is the clock used for "2 minutes ago"; tests pin it.
var Now = time.Now

const defaultContainerTableFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

// ContainerHeader titles the ps columns.
var ContainerHeader = Header{
	"ID":           "CONTAINER ID",
	"Names":        "NAMES",
	"Image":        "IMAGE",
	"Command":      "COMMAND",
	"CreatedAt":    "CREATED AT",
	"RunningFor":   "CREATED",
	"Ports":        "PORTS",
	"State":        "STATE",
	"Status":       "STATUS",
	"Size":         "SIZE",
	"Labels":       "LABELS",
	"Mounts":       "MOUNTS",
	"LocalVolumes": "LOCAL VOLUMES",
	"Networks":     "NETWORKS",
	"Platform":     "PLATFORM",
}

// ContainerFormat picks the ps format the way the docker CLI does.
func ContainerFormat(source string, quiet, size bool) string {
	switch source {
	case TableFormatKey, "":
		if quiet {
			return DefaultQuietFormat
		}
		f := defaultContainerTableFormat
		if size {
			f += `\t{{.Size}}`
		}
		return f
	case RawFormatKey:
		if quiet {
			return `container_id: {{.ID}}`
		}
		f := "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n"
		if size {
			f += `size: {{.Size}}\n`
		}
		return f
	default:
		if quiet {
			return DefaultQuietFormat
		}
		return source
	}
}

// ContainerContext is one `docker ps` row as seen by --format templates.
// Its name is part of the interface: template errors mention
// "*formatter.ContainerContext", as with the docker CLI.
type ContainerContext struct {
	trunc bool
	c     container.Summary
	// FieldsUsed records the fields a template asked for, so ps can
	// request sizes from the daemon only when .Size is used.
	FieldsUsed map[string]any
}

// NewContainerContext returns the row for one container.
func NewContainerContext(c container.Summary, trunc bool) *ContainerContext {
	return &ContainerContext{c: c, trunc: trunc}
}

// MarshalJSON renders the row for {{json .}}.
func (r *ContainerContext) MarshalJSON() ([]byte, error) { return MarshalMethods(r) }

// ID is the (short unless --no-trunc) container ID.
func (r *ContainerContext) ID() string {
	if r.trunc {
		return stringid.TruncateID(r.c.ID)
	}
	return r.c.ID
}

// Names is the comma-separated names, without legacy link names when
// truncating.
func (r *ContainerContext) Names() string {
	names := make([]string, 0, len(r.c.Names))
	for _, n := range r.c.Names {
		names = append(names, strings.TrimPrefix(n, "/"))
	}
	if r.trunc {
		for _, n := range names {
			if !strings.Contains(n, "/") {
				names = []string{n}
				break
			}
		}
	}
	return strings.Join(names, ",")
}

// Image is the image reference, without digest when truncating.
func (r *ContainerContext) Image() string {
	if r.c.Image == "" {
		return "<no image>"
	}
	if r.trunc {
		if t := stringid.TruncateID(r.c.ImageID); t == stringid.TruncateID(r.c.Image) {
			return t
		}
		if ref, err := reference.ParseNormalizedNamed(r.c.Image); err == nil {
			if nt, ok := ref.(reference.NamedTagged); ok {
				if tagged, err := reference.WithTag(reference.TrimNamed(nt), nt.Tag()); err == nil {
					return reference.FamiliarString(tagged)
				}
			} else {
				return reference.FamiliarString(reference.TrimNamed(ref))
			}
		}
	}
	return r.c.Image
}

// Command is the quoted command, ellipsized to 20 cells when truncating.
func (r *ContainerContext) Command() string {
	cmd := r.c.Command
	if r.trunc {
		cmd = Ellipsis(cmd, 20)
	}
	return strconv.Quote(cmd)
}

// CreatedAt is the creation time in Go's default time format.
func (r *ContainerContext) CreatedAt() string { return time.Unix(r.c.Created, 0).String() }

// RunningFor is "2 minutes ago" (computed on the client, like Docker).
func (r *ContainerContext) RunningFor() string {
	return units.HumanDuration(Now().UTC().Sub(time.Unix(r.c.Created, 0))) + " ago"
}

// Platform is the image platform when the daemon reports it.
func (r *ContainerContext) Platform() *platform {
	d := r.c.ImageManifestDescriptor
	if d == nil || d.Platform == nil {
		return nil
	}
	return &platform{*d.Platform}
}

// Ports lists published and exposed ports, grouped into ranges.
func (r *ContainerContext) Ports() string { return displayablePorts(r.c.Ports) }

// State is the machine-readable state ("running", "exited", ...).
func (r *ContainerContext) State() string { return string(r.c.State) }

// Status is the daemon's human status ("Up 2 minutes").
func (r *ContainerContext) Status() string { return r.c.Status }

// Size is "writable (virtual total)".
func (r *ContainerContext) Size() string {
	if r.FieldsUsed == nil {
		r.FieldsUsed = map[string]any{}
	}
	r.FieldsUsed["Size"] = struct{}{}
	srw := units.HumanSizeWithPrecision(float64(r.c.SizeRw), 3)
	if r.c.SizeRootFs > 0 {
		return fmt.Sprintf("%s (virtual %s)", srw, units.HumanSizeWithPrecision(float64(r.c.SizeRootFs), 3))
	}
	return srw
}

// Labels is the sorted comma-separated key=value list.
func (r *ContainerContext) Labels() string {
	if r.c.Labels == nil {
		return ""
	}
	var l []string
	for k, v := range r.c.Labels {
		l = append(l, k+"="+v)
	}
	sort.Strings(l)
	return strings.Join(l, ",")
}

// Label returns one label's value.
func (r *ContainerContext) Label(name string) string {
	if r.c.Labels == nil {
		return ""
	}
	return r.c.Labels[name]
}

// Mounts lists volume names or bind sources.
func (r *ContainerContext) Mounts() string {
	var out []string
	for _, m := range r.c.Mounts {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		if r.trunc {
			name = Ellipsis(name, 15)
		}
		out = append(out, name)
	}
	return strings.Join(out, ",")
}

// LocalVolumes counts volumes of the "local" driver.
func (r *ContainerContext) LocalVolumes() string {
	n := 0
	for _, m := range r.c.Mounts {
		if m.Driver == "local" {
			n++
		}
	}
	return strconv.Itoa(n)
}

// Networks lists the attached networks.
func (r *ContainerContext) Networks() string {
	if r.c.NetworkSettings == nil {
		return ""
	}
	var out []string
	for k := range r.c.NetworkSettings.Networks {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// platform prints like containerd's platforms.FormatAll and marshals as
// the OCI platform object.
type platform struct{ ocispec.Platform }

func (p platform) String() string {
	osv := p.OS
	if p.OSVersion != "" {
		osv += "(" + p.OSVersion + ")"
	}
	return path.Join(osv, p.Architecture, p.Variant)
}

// displayablePorts renders ports as `docker ps` does: consecutive exposed
// or identically-published ports grouped into ranges, other host mappings
// listed after, e.g. "0.0.0.0:80->8080/tcp, 9988/tcp".
func displayablePorts(ports []container.PortSummary) string {
	type group struct{ first, last uint16 }
	groups := map[string]*group{}
	var keys, result, hostMappings []string
	sorted := append([]container.PortSummary(nil), ports...)
	sort.Slice(sorted, func(i, j int) bool { return comparePorts(sorted[i], sorted[j]) })

	for _, p := range sorted {
		cur := p.PrivatePort
		key := p.Type
		if p.IP.IsValid() {
			ip := p.IP.String()
			if p.PublicPort != cur {
				hostMappings = append(hostMappings, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(ip, strconv.Itoa(int(p.PublicPort))), p.PrivatePort, p.Type))
				continue
			}
			key = ip + "/" + p.Type
		}
		g := groups[key]
		if g == nil {
			groups[key] = &group{cur, cur}
			keys = append(keys, key)
			continue
		}
		if cur == g.last+1 {
			g.last = cur
			continue
		}
		result = append(result, formGroup(key, g.first, g.last))
		groups[key] = &group{cur, cur}
	}
	for _, k := range keys {
		g := groups[k]
		result = append(result, formGroup(k, g.first, g.last))
	}
	return strings.Join(append(result, hostMappings...), ", ")
}

func formGroup(key string, start, last uint16) string {
	parts := strings.Split(key, "/")
	typ := parts[0]
	var ip string
	if len(parts) > 1 {
		ip, typ = parts[0], parts[1]
	}
	g := strconv.Itoa(int(start))
	if start != last {
		g = fmt.Sprintf("%s-%d", g, last)
	}
	if ip != "" {
		g = fmt.Sprintf("%s->%s", net.JoinHostPort(ip, g), g)
	}
	return g + "/" + typ
}

func comparePorts(i, j container.PortSummary) bool {
	if i.PrivatePort != j.PrivatePort {
		return i.PrivatePort < j.PrivatePort
	}
	if ii, jj := ipString(i), ipString(j); ii != jj {
		return ii < jj
	}
	if i.PublicPort != j.PublicPort {
		return i.PublicPort < j.PublicPort
	}
	return i.Type < j.Type
}

func ipString(p container.PortSummary) string {
	if !p.IP.IsValid() {
		return ""
	}
	return p.IP.String()
}

// Images.

const (
	defaultImageTableFormat           = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
	defaultImageTableFormatWithDigest = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
)

// ImageHeader titles the images columns.
var ImageHeader = Header{
	"ID":           "IMAGE ID",
	"Repository":   "REPOSITORY",
	"Tag":          "TAG",
	"Digest":       "DIGEST",
	"CreatedSince": "CREATED",
	"CreatedAt":    "CREATED AT",
	"Size":         "SIZE",
	"Containers":   "CONTAINERS",
	"VirtualSize":  "SIZE",
	"SharedSize":   "SHARED SIZE",
	"UniqueSize":   "UNIQUE SIZE",
}

// ImageFormat picks the images format the way the docker CLI does.
func ImageFormat(source string, quiet, digest bool) string {
	switch source {
	case TableFormatKey:
		switch {
		case quiet:
			return DefaultQuietFormat
		case digest:
			return defaultImageTableFormatWithDigest
		default:
			return defaultImageTableFormat
		}
	case RawFormatKey:
		switch {
		case quiet:
			return `image_id: {{.ID}}`
		case digest:
			return "repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
		default:
			return "repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
		}
	}
	if IsTable(source) && digest && !strings.Contains(source, "{{.Digest}}") {
		source += "\t{{.Digest}}"
	}
	return source
}

// imageContext is one `docker images` row (unexported, like the docker
// CLI's, which template errors name "*formatter.imageContext").
type imageContext struct {
	trunc  bool
	i      image.Summary
	repo   string
	tag    string
	digest string
}

// MarshalJSON renders the row for {{json .}}.
func (r *imageContext) MarshalJSON() ([]byte, error) { return MarshalMethods(r) }

// ID is the short (or full) image ID.
func (r *imageContext) ID() string {
	if r.trunc {
		return stringid.TruncateID(r.i.ID)
	}
	return r.i.ID
}

// Repository is the familiar repository name or <none>.
func (r *imageContext) Repository() string { return r.repo }

// Tag is the tag or <none>.
func (r *imageContext) Tag() string { return r.tag }

// Digest is the repository digest or <none>.
func (r *imageContext) Digest() string { return r.digest }

// CreatedSince is "3 weeks ago".
func (r *imageContext) CreatedSince() string {
	t := time.Unix(r.i.Created, 0)
	if t.IsZero() {
		return ""
	}
	return units.HumanDuration(Now().UTC().Sub(t)) + " ago"
}

// CreatedAt is the creation time in Go's default format.
func (r *imageContext) CreatedAt() string { return time.Unix(r.i.Created, 0).String() }

// Size is the image size with 3 significant digits.
func (r *imageContext) Size() string { return units.HumanSizeWithPrecision(float64(r.i.Size), 3) }

// Containers is the number of containers using the image, if known.
func (r *imageContext) Containers() string {
	if r.i.Containers == -1 {
		return "N/A"
	}
	return strconv.FormatInt(r.i.Containers, 10)
}

// VirtualSize is the deprecated alias of Size (4 significant digits).
func (r *imageContext) VirtualSize() string { return units.HumanSize(float64(r.i.Size)) }

// SharedSize is the size shared with other images, if known.
func (r *imageContext) SharedSize() string {
	if r.i.SharedSize == -1 {
		return "N/A"
	}
	return units.HumanSize(float64(r.i.SharedSize))
}

// UniqueSize is Size minus SharedSize, if known.
func (r *imageContext) UniqueSize() string {
	if r.i.Size == -1 || r.i.SharedSize == -1 {
		return "N/A"
	}
	return units.HumanSize(float64(r.i.Size - r.i.SharedSize))
}

func isDanglingImage(img image.Summary) bool {
	if len(img.RepoTags) == 0 && len(img.RepoDigests) == 0 {
		return true
	}
	return len(img.RepoTags) == 1 && img.RepoTags[0] == "<none>:<none>" && len(img.RepoDigests) == 1 && img.RepoDigests[0] == "<none>@<none>"
}

// ImageRows expands images into one row per repository:tag (and per
// digest when digests are shown), like the docker CLI. Repositories are
// listed in sorted order so output is stable.
func ImageRows(images []image.Summary, trunc, showDigest, needDigest bool) []any {
	var rows []any
	for _, img := range images {
		if isDanglingImage(img) {
			rows = append(rows, &imageContext{trunc: trunc, i: img, repo: "<none>", tag: "<none>", digest: "<none>"})
			continue
		}
		repoTags := map[string][]string{}
		repoDigests := map[string][]string{}
		for _, s := range img.RepoTags {
			ref, err := reference.ParseNormalizedNamed(s)
			if err != nil {
				continue
			}
			if nt, ok := ref.(reference.NamedTagged); ok {
				name := reference.FamiliarName(ref)
				repoTags[name] = append(repoTags[name], nt.Tag())
			}
		}
		for _, s := range img.RepoDigests {
			ref, err := reference.ParseNormalizedNamed(s)
			if err != nil {
				continue
			}
			if c, ok := ref.(reference.Canonical); ok {
				name := reference.FamiliarName(ref)
				repoDigests[name] = append(repoDigests[name], c.Digest().String())
			}
		}
		add := func(repo, tag, digest string) {
			rows = append(rows, &imageContext{trunc: trunc, i: img, repo: repo, tag: tag, digest: digest})
		}
		for _, repo := range sortedKeys(repoTags) {
			digests := repoDigests[repo]
			delete(repoDigests, repo)
			if !needDigest {
				digests = nil
			}
			for _, tag := range repoTags[repo] {
				if len(digests) == 0 {
					add(repo, tag, "<none>")
					continue
				}
				for _, d := range digests {
					add(repo, tag, d)
				}
			}
		}
		for _, repo := range sortedKeys(repoDigests) {
			if showDigest {
				for _, d := range repoDigests[repo] {
					add(repo, "<none>", d)
				}
			} else {
				add(repo, "<none>", "")
			}
		}
	}
	return rows
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
