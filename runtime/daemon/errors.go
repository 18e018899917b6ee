package daemon

import "errors"

// ErrNeedsUserNamespace is returned by Start and Run for an ordinary user
// outside a user namespace of the engine's own: the engine must then run as
// its own process, which RunInUserNamespace (`boxlab engine`) starts.
var ErrNeedsUserNamespace = errors.New("the engine needs root or a user namespace of its own: as an ordinary user, start it with `boxlab engine`, which makes one")
