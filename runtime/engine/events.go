package engine

import (
	"context"
	"sync"
	"time"

	"github.com/moby/moby/api/types/events"
)

// Event is one engine event, in Docker's wire type.
type Event = events.Message

// eventLog keeps the recent events (for --since) and fans new ones out.
type eventLog struct {
	mu   sync.Mutex
	ring []Event
	subs map[chan Event]struct{}
}

const eventRingSize = 1024

func newEventLog() *eventLog { return &eventLog{subs: map[chan Event]struct{}{}} }

func (l *eventLog) publish(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) == eventRingSize {
		copy(l.ring, l.ring[1:])
		l.ring = l.ring[:eventRingSize-1]
	}
	l.ring = append(l.ring, ev)
	for ch := range l.subs {
		select {
		case ch <- ev:
		default: // a subscriber that does not read loses events, never blocks the engine
		}
	}
}

// subscribe returns past events since `since` followed by live ones until
// `until` (zero: forever) or ctx ends. cancel releases the subscription.
func (l *eventLog) subscribe(ctx context.Context, since, until time.Time) (<-chan Event, func()) {
	out := make(chan Event, 256)
	live := make(chan Event, 256)
	l.mu.Lock()
	var past []Event
	if !since.IsZero() {
		for _, ev := range l.ring {
			if ev.TimeNano >= since.UnixNano() && (until.IsZero() || ev.TimeNano <= until.UnixNano()) {
				past = append(past, ev)
			}
		}
	}
	if until.IsZero() || until.After(time.Now()) {
		l.subs[live] = struct{}{}
	} else {
		close(live)
		live = nil
	}
	l.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	release := func() {
		cancel()
		l.mu.Lock()
		if live != nil {
			delete(l.subs, live)
		}
		l.mu.Unlock()
	}
	go func() {
		defer close(out)
		defer release()
		for _, ev := range past {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if live == nil {
			return
		}
		var deadline <-chan time.Time
		if !until.IsZero() {
			t := time.NewTimer(time.Until(until))
			defer t.Stop()
			deadline = t.C
		}
		for {
			select {
			case ev := <-live:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case <-deadline:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, release
}

// emit publishes a container event with Docker's attributes (image, name,
// labels, plus extra).
func (e *Engine) emit(c *Container, action events.Action, extra map[string]string) {
	attrs := map[string]string{"name": c.Name()}
	if c.rec.Config != nil {
		attrs["image"] = c.rec.Config.Image
		for k, v := range c.rec.Config.Labels {
			attrs[k] = v
		}
	}
	for k, v := range extra {
		attrs[k] = v
	}
	now := time.Now()
	e.events.publish(Event{
		Type:     events.ContainerEventType,
		Action:   action,
		Actor:    events.Actor{ID: c.rec.ID, Attributes: attrs},
		Scope:    "local",
		Time:     now.Unix(),
		TimeNano: now.UnixNano(),
	})
}
