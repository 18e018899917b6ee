// Package formatter renders `docker ps` and `docker images` rows the way
// the docker CLI v28 does: the default tables, "table ..." and Go
// template --format values, {{json .}}, Docker's template functions, the
// humanized times and sizes, and the port list grouping.
//
// It is not a general template engine; inspect output lives in the
// dockercli package. The row types (ContainerContext, imageContext) keep
// the docker CLI's names because template errors print them.
package formatter
