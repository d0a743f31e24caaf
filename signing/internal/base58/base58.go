// Package base58 is the Bitcoin base58 alphabet encoding ("base58btc",
// multibase prefix 'z') used by did:key and Multikey.
//
// Decoding is strict: only the 58 alphabet characters, and every byte
// string has exactly one encoding (leading zero bytes are '1's). Both
// directions are quadratic in the length; callers bound their input (a
// did:key is under 200 characters).
package base58

import "errors"

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// ErrInvalid is returned for a character outside the alphabet.
var ErrInvalid = errors.New("invalid base58 character")

var index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// Encode returns the base58btc encoding of p.
func Encode(p []byte) string {
	zeros := 0
	for zeros < len(p) && p[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) < 1.366: enough digits for the rest.
	digits := make([]byte, (len(p)-zeros)*138/100+1)
	n := 0 // digits in use, little-endian base 58
	for _, b := range p[zeros:] {
		carry := int(b)
		for i := 0; i < n; i++ {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits[n] = byte(carry % 58)
			n++
			carry /= 58
		}
	}
	out := make([]byte, zeros+n)
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i := 0; i < n; i++ {
		out[zeros+i] = alphabet[digits[n-1-i]]
	}
	return string(out)
}

// Decode decodes base58btc.
func Decode(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(256) < 0.733.
	bytes := make([]byte, (len(s)-zeros)*733/1000+1)
	n := 0 // bytes in use, little-endian base 256
	for i := zeros; i < len(s); i++ {
		d := index[s[i]]
		if d < 0 {
			return nil, ErrInvalid
		}
		carry := int(d)
		for j := 0; j < n; j++ {
			carry += int(bytes[j]) * 58
			bytes[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			bytes[n] = byte(carry)
			n++
			carry >>= 8
		}
	}
	out := make([]byte, zeros+n)
	for i := 0; i < n; i++ {
		out[zeros+i] = bytes[n-1-i]
	}
	return out, nil
}
