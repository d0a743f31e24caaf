package web

import (
	"sync"

	"github.com/thaitrust/thaitrust/holder"
)

// walletState is the open demo wallet and what awaits the holder's
// decision.
type walletState struct {
	mu     sync.Mutex
	wallet *holder.Wallet
}
