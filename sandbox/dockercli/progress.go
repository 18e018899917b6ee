package dockercli

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/boxlab/boxlab/sandbox/dockercli/internal/formatter"
	"io"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/jsonstream"
)

// displayJSONMessages renders a daemon progress stream (pull, ...) the
// way the docker CLI does: one line per status on a pipe, updating
// per-layer lines in place with progress bars on a terminal. An error
// message in the stream becomes the returned error.
func displayJSONMessages(in io.Reader, out *outStream) error {
	dec := json.NewDecoder(in)
	ids := map[string]uint{}
	width := uint(200)
	if _, w := out.ttySize(); w > 0 {
		width = w
	}
	for {
		var jm jsonstream.Message
		if err := dec.Decode(&jm); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if jm.Aux != nil {
			continue
		}
		var diff uint
		if jm.ID != "" && jm.Progress != nil {
			line, ok := ids[jm.ID]
			if !ok {
				line = uint(len(ids))
				ids[jm.ID] = line
				if out.isTerm {
					fmt.Fprint(out, "\n")
				}
			}
			diff = uint(len(ids)) - line
			if out.isTerm && diff > 0 {
				fmt.Fprintf(out, "\x1b[%dA", diff)
			}
		} else {
			ids = map[string]uint{}
		}
		err := displayMessage(jm, out, width)
		if jm.ID != "" && out.isTerm && diff > 0 {
			fmt.Fprintf(out, "\x1b[%dB", diff)
		}
		if err != nil {
			return err
		}
	}
}

func displayMessage(jm jsonstream.Message, out *outStream, width uint) error {
	if jm.Error != nil {
		return jm.Error
	}
	var endl string
	if out.isTerm && jm.Stream == "" && jm.Progress != nil {
		fmt.Fprint(out, "\x1b[2K")
		endl = "\r"
		fmt.Fprint(out, endl)
	} else if jm.Progress != nil && (jm.Progress.Current > 0 || jm.Progress.Total > 0) {
		// progress bars only make sense on a terminal
		return nil
	}
	if jm.ID != "" {
		fmt.Fprintf(out, "%s: ", jm.ID)
	}
	switch {
	case jm.Progress != nil && out.isTerm:
		fmt.Fprintf(out, "%s %s%s", jm.Status, renderProgress(*jm.Progress, width), endl)
	case jm.Stream != "":
		fmt.Fprintf(out, "%s%s", jm.Stream, endl)
	default:
		fmt.Fprintf(out, "%s%s\n", jm.Status, endl)
	}
	return nil
}

// renderProgress draws "[=====>    ]  1.2MB/3.4MB 2s" like the docker CLI.
func renderProgress(p jsonstream.Progress, width uint) string {
	if p.Current <= 0 && p.Total <= 0 {
		return ""
	}
	if p.Total <= 0 {
		if p.Units == "" {
			return fmt.Sprintf("%8v", units.HumanSize(float64(p.Current)))
		}
		return fmt.Sprintf("%d %s", p.Current, p.Units)
	}
	percentage := int(float64(p.Current)/float64(p.Total)*100) / 2
	if percentage > 50 {
		percentage = 50
	}
	var bar, numbers, left string
	if width > 110 {
		bar = fmt.Sprintf("[%s>%s] ", strings.Repeat("=", percentage), strings.Repeat(" ", 50-percentage))
	}
	switch {
	case p.HideCounts:
	case p.Units == "":
		if p.Current <= p.Total {
			numbers = fmt.Sprintf("%8v/%v", units.HumanSize(float64(p.Current)), units.HumanSize(float64(p.Total)))
		} else {
			numbers = fmt.Sprintf("%8v", units.HumanSize(float64(p.Current)))
		}
	default:
		numbers = fmt.Sprintf("%d/%d %s", p.Current, p.Total, p.Units)
	}
	if width > 50 && p.Current > 0 && p.Start > 0 && percentage < 50 {
		fromStart := formatter.Now().UTC().Sub(time.Unix(p.Start, 0))
		perEntry := fromStart / time.Duration(p.Current)
		left = " " + (time.Duration(p.Total-p.Current) * perEntry).Round(time.Second).String()
	}
	return bar + numbers + left
}
