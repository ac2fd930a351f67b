//go:build !windows

package main

const ttyPath = "/dev/tty"
