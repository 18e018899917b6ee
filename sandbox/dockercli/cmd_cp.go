package dockercli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

type cpOptions struct {
	followLink, copyUIDGID, quiet bool
	source, dest, container       string
}

func newCopyCommand(c *dockerCLI) *cobra.Command {
	var opts cpOptions
	cmd := &cobra.Command{
		Use: `cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
	docker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
		Short: "Copy files/folders between a container and the local filesystem",
		Long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "" {
				return errors.New("source can not be empty")
			}
			if args[1] == "" {
				return errors.New("destination can not be empty")
			}
			if !cmd.Flag("quiet").Changed {
				opts.quiet = !c.out.isTerm
			}
			srcContainer, srcPath := splitCpArg(args[0])
			dstContainer, dstPath := splitCpArg(args[1])
			opts.source, opts.dest = srcPath, dstPath
			switch {
			case srcContainer != "" && dstContainer != "":
				return errCopyAcross
			case srcContainer != "":
				opts.container = srcContainer
				return c.copyFromContainer(opts)
			case dstContainer != "":
				opts.container = dstContainer
				return c.copyToContainer(opts)
			}
			return errCopyNoContainer
		},
		Annotations: map[string]string{"aliases": "docker container cp, docker cp"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.followLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	fl.BoolVarP(&opts.copyUIDGID, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached")
	return cmd
}

// splitCpArg splits CONTAINER:PATH; a local path containing ':' must be
// written as ./file:name or /abs/file:name, as with scp.
func splitCpArg(arg string) (container, path string) {
	if filepath.IsAbs(arg) {
		return "", arg
	}
	ctr, p, ok := strings.Cut(arg, ":")
	if !ok || strings.HasPrefix(ctr, ".") {
		return "", arg
	}
	return ctr, p
}

// resolveLocalPath makes path absolute, keeping a trailing "/" or "/."
// which carries meaning for docker cp.
func resolveLocalPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return preserveTrailingDotOrSeparator(abs, p), nil
}

func validateOutputPath(p string) error {
	dir := filepath.Dir(filepath.Clean(p))
	if dir != "" && dir != "." {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return fmt.Errorf("invalid output path: directory %q does not exist", dir)
		}
	}
	fi, err := os.Stat(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().IsDir() || fi.Mode().IsRegular() {
		return nil
	}
	if err := validateFileMode(fi.Mode()); err != nil {
		return fmt.Errorf("invalid output path: %q must be a directory or a regular file: %w", p, err)
	}
	return nil
}

func validateFileMode(m os.FileMode) error {
	switch {
	case m&os.ModeDevice != 0:
		return errors.New("got a device")
	case m&os.ModeIrregular != 0:
		return errors.New("got an irregular file")
	}
	return nil
}

func (c *dockerCLI) copyFromContainer(opts cpOptions) error {
	dst, src := opts.dest, opts.source
	if dst != "-" {
		var err error
		if dst, err = resolveLocalPath(dst); err != nil {
			return err
		}
	}
	if err := validateOutputPath(dst); err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	var rebaseName string
	if opts.followLink {
		st, err := api.ContainerStatPath(c.ctx, opts.container, client.ContainerStatPathOptions{Path: src})
		if err == nil && st.Stat.Mode&os.ModeSymlink != 0 {
			target := st.Stat.LinkTarget
			if !filepath.IsAbs(target) {
				parent, _ := splitPathDirEntry(src)
				target = filepath.Join(parent, target)
			}
			target, rebaseName = getRebaseName(src, target)
			src = target
		}
	}
	ctx, cancel := signal.NotifyContext(c.ctx, os.Interrupt)
	defer cancel()
	res, err := api.CopyFromContainer(ctx, opts.container, client.CopyFromContainerOptions{SourcePath: src})
	if err != nil {
		return err
	}
	defer res.Content.Close()
	if dst == "-" {
		_, err := io.Copy(c.out, res.Content)
		return err
	}
	srcInfo := copyInfo{Path: src, Exists: true, IsDir: res.Stat.Mode.IsDir(), RebaseName: rebaseName}
	var copied atomic.Int64
	var content io.Reader = &countingReader{r: res.Content, n: &copied}
	if rebaseName != "" {
		_, base := splitPathDirEntry(srcInfo.Path)
		content = rebaseArchiveEntries(content, base, rebaseName)
	}
	if opts.quiet {
		return copyTo(content, srcInfo, dst)
	}
	stop := c.copyProgress(ctx, "Copying from container - ", &copied)
	err = copyTo(content, srcInfo, dst)
	cancel()
	stop()
	fmt.Fprintln(c.err, "Successfully copied", units.HumanSizeWithPrecision(float64(copied.Load()), 3), "to", dst)
	return err
}

func (c *dockerCLI) copyToContainer(opts cpOptions) error {
	src, dst := opts.source, opts.dest
	if src != "-" {
		var err error
		if src, err = resolveLocalPath(src); err != nil {
			return err
		}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	dstInfo := copyInfo{Path: dst}
	st, err := api.ContainerStatPath(c.ctx, opts.container, client.ContainerStatPathOptions{Path: dst})
	if err == nil && st.Stat.Mode&os.ModeSymlink != 0 {
		target := st.Stat.LinkTarget
		if !filepath.IsAbs(target) {
			parent, _ := splitPathDirEntry(dst)
			target = filepath.Join(parent, target)
		}
		dstInfo.Path = target
		st, err = api.ContainerStatPath(c.ctx, opts.container, client.ContainerStatPathOptions{Path: target})
	}
	if verr := validateFileMode(st.Stat.Mode); verr != nil {
		return fmt.Errorf(`destination "%s:%s" must be a directory or a regular file: %w`, opts.container, dst, verr)
	}
	if err == nil {
		dstInfo.Exists, dstInfo.IsDir = true, st.Stat.Mode.IsDir()
	}

	var (
		content  io.Reader
		dstDir   string
		copied   atomic.Int64
		progress bool
	)
	if src == "-" {
		content = c.in
		dstDir = dstInfo.Path
		if !dstInfo.IsDir {
			return fmt.Errorf("destination \"%s:%s\" must be a directory", opts.container, dst)
		}
	} else {
		srcInfo, err := copyInfoSourcePath(src, opts.followLink)
		if err != nil {
			return err
		}
		archive, err := tarResource(srcInfo)
		if err != nil {
			return err
		}
		defer archive.Close()
		dir, prepared, err := prepareArchiveCopy(archive, srcInfo, dstInfo)
		if err != nil {
			return err
		}
		defer prepared.Close()
		dstDir = dir
		content = prepared
		if !opts.quiet {
			content = &countingReader{r: prepared, n: &copied}
			progress = true
		}
	}
	copyOpts := client.CopyToContainerOptions{DestinationPath: dstDir, Content: content, CopyUIDGID: opts.copyUIDGID}
	if !progress {
		_, err := api.CopyToContainer(c.ctx, opts.container, copyOpts)
		return err
	}
	ctx, cancel := signal.NotifyContext(c.ctx, os.Interrupt)
	defer cancel()
	stop := c.copyProgress(ctx, "Copying to container - ", &copied)
	_, err = api.CopyToContainer(ctx, opts.container, copyOpts)
	cancel()
	stop()
	fmt.Fprintln(c.err, "Successfully copied", units.HumanSizeWithPrecision(float64(copied.Load()), 3), "to", opts.container+":"+dstInfo.Path)
	return err
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n.Add(int64(n))
	return n, err
}

// copyProgress shows a live byte count on a terminal stderr while a copy
// runs; the returned function stops it and erases the line.
func (c *dockerCLI) copyProgress(ctx context.Context, header string, total *atomic.Int64) (stop func()) {
	if !c.err.isTerm {
		return func() {}
	}
	const (
		save    = "\x1b7"
		restore = "\x1b8"
		erase   = "\x1b[2K"
		hide    = "\x1b[?25l"
		show    = "\x1b[?25h"
	)
	fmt.Fprint(c.err, save, "Preparing to copy...")
	done := make(chan struct{})
	go func() {
		defer close(done)
		fmt.Fprint(c.err, hide)
		defer fmt.Fprint(c.err, show)
		fmt.Fprint(c.err, restore, erase, header, units.HumanSizeWithPrecision(0, 3))
		var last int64
		tick := time.NewTicker(75 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				n := total.Load()
				if n == last {
					continue
				}
				fmt.Fprintf(c.err, "\x1b[%dG\x1b[0K%s", len(header)+1, units.HumanSizeWithPrecision(float64(n), 3))
				last = n
			}
		}
	}()
	return func() {
		<-done
		fmt.Fprint(c.err, restore, erase)
	}
}
