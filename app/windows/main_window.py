"""The main window: a sidebar of pages, and a banner for things the user must know."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import icons
from app.theme import STYLE_SHEET
from app.windows import PAGES
from engine import version as installed_version

_TITLES = {"scan": "Scan", "history": "History", "memory": "Memory", "settings": "Settings & policies"}


class MainWindow(QMainWindow):
    """Holds the pages; closing hides it to the tray unless there is no tray."""

    closed = Signal()  # closed for good (no tray): the app quits
    hidden = Signal()  # hidden to the tray, or about to close: a moment to remember its geometry

    def __init__(self, pages: dict[str, QWidget]) -> None:
        super().__init__()
        self.setWindowTitle("Tierwall")
        self.setWindowIcon(icons.icon("protecting"))
        self.setStyleSheet(STYLE_SHEET)
        self.hide_on_close = True
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(190)
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        self.pages = pages
        for name in PAGES:
            self.nav.addItem(_TITLES[name])
            self.stack.addWidget(pages[name])
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        brand = QLabel("Tierwall")
        brand.setObjectName("brand")
        sub = QLabel("offline prompt firewall")
        sub.setObjectName("brandSub")
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addWidget(brand)
        side.addWidget(sub)
        side.addWidget(self.nav, 1)
        version = QLabel(f"version {installed_version() or 'dev'} · nothing leaves this machine")
        version.setObjectName("brandSub")
        version.setWordWrap(True)
        side.addWidget(version)
        sidebar = QWidget()
        sidebar.setLayout(side)
        sidebar.setStyleSheet("background: #1f2633;")
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(22, 12, 22, 0)
        banner_row.addWidget(self.banner)
        content.addLayout(banner_row)
        content.addWidget(self.stack, 1)
        root = QHBoxLayout()
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(sidebar)
        root.addLayout(content, 1)
        central = QWidget()
        central.setObjectName("page")
        central.setLayout(root)
        self.setCentralWidget(central)
        self.nav.setCurrentRow(0)
        for number, name in enumerate(PAGES, start=1):  # Ctrl+1..4: the sidebar takes no keyboard focus
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda name=name: self.show_page(name))
            self.nav.item(number - 1).setToolTip(f"Ctrl+{number}")
        self.resize(1040, 700)

    def sizeHint(self) -> QSize:
        return QSize(1040, 700)

    @property
    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGES.index(name))

    def add_banner(self, message: str) -> None:
        """Show a message at the top of every page (kept until the app restarts)."""
        text = self.banner.text()
        self.banner.setText(f"{text}\n{message}" if text else message)
        self.banner.setVisible(True)

    def bring_up(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def hideEvent(self, event: QHideEvent) -> None:
        self.hidden.emit()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.hide_on_close:
            event.ignore()
            self.hide()
        else:
            self.hidden.emit()
            event.accept()
            self.closed.emit()
