package toolbox

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// errUsage reports a bad command line; the applet prints its usage.
var errUsage = errors.New("usage")

// errText is the C library's text for an error's errno ("No such file or
// directory"), which busybox prints; Go's texts are the same but for the
// lower-case first letter. Other errors print as they are.
func errText(err error) string {
	var errno syscall.Errno
	var sig signalErrno
	switch {
	case errors.As(err, &errno):
		return capitalize(errno.Error())
	case errors.As(err, &sig):
		return capitalize(sig.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// signalErrno lets errText capitalize a signal's description like the C
// library's strsignal ("Terminated").
type signalErrno syscall.Signal

func (s signalErrno) Error() string { return syscall.Signal(s).String() }

// pathErr is busybox's "PATH: Error text" for a failed file operation.
func pathErr(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return path + ": " + errText(pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return path + ": " + errText(le.Err)
	}
	return path + ": " + errText(err)
}
