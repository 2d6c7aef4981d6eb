// The pod sandbox ("pause") image's program: it holds the pod's namespaces open and
// exits on SIGTERM or SIGINT. Static, so the image is this one file.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
}
