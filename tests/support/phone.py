"""What the phone-sized browser tests check on every page: no sideways scrolling, a one-line header."""

from __future__ import annotations

#: The phone the browser tests hold (a Pixel 8's screen and user agent).
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36"
    ),
}


def assert_fits_the_phone(page) -> None:
    """No sideways scrolling. On a mobile context Chromium widens the layout viewport to fit content that
    overflows, so ``window.innerWidth`` grows with the overflow; the document element's clientWidth stays
    the device width (390)."""
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def assert_header_on_one_line(page) -> None:
    """The brand and every link of the main navigation share one line, inside the screen."""
    boxes = page.evaluate("""() => {
        const items = [document.querySelector('.site-header .brand'),
                       ...document.querySelectorAll('.site-header nav a')];
        return items.map(e => { const r = e.getBoundingClientRect();
                                return [e.textContent.trim(), r.top, r.bottom, r.right]; });
    }""")
    width = page.evaluate("document.documentElement.clientWidth")
    middles = [(top + bottom) / 2 for _, top, bottom, _ in boxes]
    assert max(middles) - min(middles) <= 4, f"{page.url}: the header wraps: {boxes}"
    assert all(right <= width for *_, right in boxes), f"{page.url}: the header overflows {width}px: {boxes}"
