package web

import (
	"fmt"
	"maps"
)

// entry is one sentence in both languages.
type entry struct{ th, en string }

// dict is the dictionary of the layout, the verifier portal and the
// registry browser. Other page groups add theirs with addDict.
var dict = map[string]entry{
	"site.name":         {"ThaiTrust", "ThaiTrust"},
	"site.tagline":      {"ตรวจสอบเอกสารรับรองดิจิทัลของประเทศไทย", "Check Thailand's digital credentials"},
	"site.skip":         {"ข้ามไปยังเนื้อหา", "Skip to content"},
	"site.nav.label":    {"เมนูหลัก", "Main menu"},
	"site.nav.verify":   {"ตรวจสอบเอกสาร", "Verify"},
	"site.nav.wallet":   {"กระเป๋าเอกสาร", "Wallet"},
	"site.nav.registry": {"ทะเบียนความน่าเชื่อถือ", "Registry"},
	"site.nav.console":  {"ระบบผู้ออกเอกสาร", "Issuer console"},
	"site.lang.switch":  {"English", "ภาษาไทย"},
	"site.lang.label":   {"Switch to English", "เปลี่ยนเป็นภาษาไทย"},
	"site.footer":       {"ThaiTrust: กรอบความน่าเชื่อถือสำหรับเอกสารรับรองดิจิทัล ทำงานได้โดยไม่ต้องเชื่อมต่ออินเทอร์เน็ตภายนอก", "ThaiTrust: a trust framework for digital credentials. This site works offline."},
	"site.footer.api":   {"API สำหรับนักพัฒนา", "API for developers"},
	"site.error.title":  {"เกิดข้อผิดพลาด", "Something went wrong"},
	"site.error.back":   {"กลับหน้าหลัก", "Back to the start"},
	"site.notfound":     {"ไม่พบหน้าที่ต้องการ", "This page does not exist."},
	"site.unavailable":  {"บริการนี้ไม่ได้เปิดใช้บนเซิร์ฟเวอร์นี้", "This service is not enabled on this server."},
	"site.csrf":         {"แบบฟอร์มหมดอายุหรือมาจากเว็บไซต์อื่น โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง", "The form is stale or came from another site. Reload the page and try again."},
	"site.yes":          {"ใช่", "yes"},
	"site.no":           {"ไม่ใช่", "no"},
	"site.technical":    {"รายละเอียดทางเทคนิค", "Technical details"},
	"site.download":     {"ดาวน์โหลด", "Download"},
}

// addDict adds a page group's sentences; call it from an init function.
// A key defined twice panics.
func addDict(d map[string]entry) {
	for k := range d {
		if _, dup := dict[k]; dup {
			panic("web: dictionary key " + k + " defined twice")
		}
	}
	maps.Copy(dict, d)
}

// translate returns key's sentence in lang ("th" or "en"), formatted
// with args when given. A missing key shows as the key itself (and
// TestDictionaryComplete fails).
func translate(lang, key string, args ...any) string {
	e, ok := dict[key]
	if !ok {
		return key
	}
	s := e.th
	if lang == "en" {
		s = e.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
