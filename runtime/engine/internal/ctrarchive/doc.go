// Package ctrarchive reads and writes a container's files for docker cp:
// the stat, the tar archive and the extraction behind the Engine API's
// HEAD, GET and PUT /containers/{id}/archive, with Docker's semantics for
// paths, archive entry names and errors.
//
// A Root is a container's root directory, opened by the engine either
// through /proc/PID/root (running container) or where linux.WithRootfs
// mounted it (stopped container). Every path is resolved inside it as if it
// were "/" (symbolic links, absolute or with "..", never lead out), and
// every file is then opened by walking down from the root without following
// symbolic links, so a link swapped in by the container while a copy runs
// fails the copy instead of redirecting it. Archive entries are confined to
// the directory they are extracted into, as in modern Docker.
//
// Not here: finding or mounting the container (runtime/engine,
// runtime/linux) and HTTP (runtime/api).
//
// Main types: Root (Open, OpenAt; Stat, Archive, Extract, LookupUser) and
// ExtractOptions.
package ctrarchive
