package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"
)

// New returns an echo instance with ThaiTrust's error renderer and
// middleware: request ids, panic recovery, access logs, security headers.
func New(log *slog.Logger) *echo.Echo {
	if log == nil {
		log = slog.Default()
	}
	e := echo.NewWithConfig(echo.Config{
		Logger:           log,
		HTTPErrorHandler: ErrorHandler(log),
	})
	e.Pre(requestIDs)
	e.Use(recoverPanics(log), accessLog(log), securityHeaders)
	return e
}

// Serve serves h on ln until ctx is done, then shuts down gracefully
// (in-flight requests get up to 10 s).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
			return e
		}
		return err
	}
}
