// Package rootlesstest lets tests run boxlab as ordinary users, for the
// rootless engine: it creates the test accounts when missing (boxtest, with
// subordinate ids, and boxtest-noids, without), checks that they may create
// user namespaces, and runs commands as them. Tests skip, saying why, where
// that cannot work (not root, no setpriv, user namespaces disabled).
//
// Not for anything but tests: it adds users to the machine it runs on.
package rootlesstest
