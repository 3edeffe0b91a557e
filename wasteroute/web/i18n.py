"""The app's words in Bahasa Indonesia (the default) and English.

Templates call ``t("key")``; a key missing from English falls back to Indonesian, and a key
missing from both is shown as itself so a gap is visible, never an error.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
DEFAULT = "id"

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "app": "Perencana rute sampah",
        "nav.plan": "Rencanakan hari", "nav.history": "Riwayat", "nav.data": "Data titik",
        "nav.evaluate": "Evaluasi ritase", "nav.replan": "Rencana ulang", "nav.week": "Minggu",
        "lang.switch": "English", "logout": "Keluar",
        "plan.title": "Rencanakan satu hari", "plan.date": "Tanggal",
        "plan.date_help": "Bawaan: besok, waktu kota",
        "plan.trucks_out": "Truk tidak beroperasi", "plan.trucks_help": "Centang truk yang rusak atau tidak jalan hari itu",
        "plan.volume": "Faktor musim hujan", "plan.volume_help": "1,0 = biasa; 1,3 = volume musim hujan",
        "plan.budget": "Waktu pencarian (detik)", "plan.budget_help": "Lebih lama, rencana biasanya lebih baik",
        "plan.language": "Bahasa lembar sopir", "plan.submit": "Buat rencana",
        "plan.scenario": "Skenario", "plan.points": "titik", "plan.trucks": "truk",
        "job.title": "Pekerjaan", "job.status": "Status", "job.stage": "Tahap", "job.found": "Solusi ditemukan",
        "job.best": "Biaya terbaik", "job.cancel": "Batalkan", "job.queued_ahead": "Menunggu: {n} pekerjaan lain di depan (satu per skenario sekaligus)",
        "job.open": "Buka hasil", "job.note": "Catatan terakhir", "job.elapsed": "Waktu berjalan",
        "status.queued": "menunggu giliran", "status.running": "berjalan", "status.done": "selesai",
        "status.failed": "gagal", "status.cancelled": "dibatalkan", "status.interrupted": "terputus",
        "stage.starting": "memulai", "stage.loading": "memuat jaringan jalan dan titik",
        "stage.search": "mencari rute", "stage.checking": "memeriksa rencana", "stage.writing": "menulis peta dan lembar",
        "stage.done": "selesai",
        "result.title": "Rencana", "result.unassigned": "Titik tidak terlayani", "result.reason": "Alasan",
        "result.none_unassigned": "Semua titik yang jadwalnya hari ini terlayani.",
        "result.overview": "Peta keseluruhan", "result.downloads": "Unduh",
        "result.all_sheets": "Semua lembar (satu PDF)", "result.zip": "Seluruh folder (ZIP: GPX, CSV, GeoJSON, peta, lembar)",
        "result.sheet": "Lembar sopir (PDF)", "result.gpx": "GPX", "result.map_file": "Peta (HTML)",
        "result.stops": "Daftar perhentian", "result.to_landfill": "→ TPA (buang)", "result.break": "Istirahat",
        "result.settings": "Pengaturan",
        "kpi.trucks_used": "Truk dipakai", "kpi.points_served": "Titik terlayani", "kpi.points_unassigned": "Tidak terlayani",
        "kpi.points_not_due": "Tidak terjadwal hari ini", "kpi.landfill_trips": "Ritase ke TPA", "kpi.km": "km",
        "kpi.hours": "Jam kerja truk", "kpi.m3": "m³", "kpi.tonnes": "ton", "kpi.tonnes_per_trip": "ton per ritase",
        "kpi.fuel_l": "Solar (L)", "kpi.co2_kg": "CO₂ (kg)", "kpi.solve_s": "Waktu hitung (detik)",
        "col.n": "No", "col.time": "Tiba", "col.point": "Titik", "col.name": "Nama", "col.kelurahan": "Kelurahan",
        "col.kind": "Jenis", "col.volume": "m³", "col.load": "Muatan", "col.km": "km",
        "history.title": "Riwayat rencana", "history.empty": "Belum ada rencana.", "history.date": "Tanggal rencana",
        "history.made": "Dibuat (UTC)", "history.settings": "Pengaturan", "history.open": "Buka",
        "history.delete": "Hapus", "history.compare": "Bandingkan dua yang dicentang", "history.pick_two": "Centang tepat dua rencana yang selesai.",
        "compare.title": "Perbandingan dua rencana", "compare.figure": "Angka", "compare.diff": "Selisih",
        "data.title": "Data titik pengumpulan", "data.current": "Berkas sekarang", "data.download": "Unduh berkas sekarang",
        "data.upload": "Unggah berkas titik baru (CSV atau XLSX)", "data.submit": "Periksa dan ganti",
        "data.help": "Berkas diperiksa dulu baris per baris; berkas sekarang baru diganti bila semua baris benar. Baris 1 = baris pertama di bawah judul kolom.",
        "data.ok": "Berkas diterima: {n} titik. Rencana berikutnya memakai berkas ini.",
        "data.errors": "Berkas ditolak, tidak ada yang diganti. Masalah:",
        "evaluate.title": "Evaluasi ritase yang dijalankan sekarang", "evaluate.rounds": "Berkas ritase (CSV)",
        "evaluate.compare": "Bandingkan dengan rencana optimal", "evaluate.compare_with": "Rencana pembanding",
        "evaluate.solve_now": "hitung rencana baru sekarang", "evaluate.submit": "Evaluasi",
        "evaluate.findings": "Pelanggaran aturan", "evaluate.report": "Laporan", "evaluate.comparison": "Perbandingan",
        "evaluate.none": "Tidak ada aturan yang dilanggar.",
        "login.title": "Masuk", "login.token": "Kata sandi", "login.submit": "Masuk", "login.bad": "Kata sandi salah.",
        "generic.back": "Kembali", "generic.error": "Ada masalah", "notice": "Pemberitahuan",
        "osm": "Peta: © kontributor OpenStreetMap",
    },
    "en": {
        "app": "Waste route planner",
        "nav.plan": "Plan a day", "nav.history": "History", "nav.data": "Points data",
        "nav.evaluate": "Evaluate rounds", "nav.replan": "Re-plan", "nav.week": "Week",
        "lang.switch": "Bahasa Indonesia", "logout": "Log out",
        "plan.title": "Plan a day", "plan.date": "Date", "plan.date_help": "Default: tomorrow, city time",
        "plan.trucks_out": "Trucks out of service", "plan.trucks_help": "Tick the trucks that are broken or off that day",
        "plan.volume": "Rainy-season factor", "plan.volume_help": "1.0 = normal; 1.3 = rainy-season volumes",
        "plan.budget": "Search time (seconds)", "plan.budget_help": "Longer usually gives a better plan",
        "plan.language": "Driver sheet language", "plan.submit": "Make the plan",
        "plan.scenario": "Scenario", "plan.points": "points", "plan.trucks": "trucks",
        "job.title": "Job", "job.status": "Status", "job.stage": "Stage", "job.found": "Solutions found",
        "job.best": "Best cost", "job.cancel": "Cancel", "job.queued_ahead": "Waiting: {n} other job(s) ahead (one per scenario at a time)",
        "job.open": "Open the result", "job.note": "Last note", "job.elapsed": "Running for",
        "status.queued": "waiting its turn", "status.running": "running", "status.done": "done",
        "status.failed": "failed", "status.cancelled": "cancelled", "status.interrupted": "interrupted",
        "stage.starting": "starting", "stage.loading": "loading the road network and points",
        "stage.search": "searching routes", "stage.checking": "checking the plan", "stage.writing": "writing maps and sheets",
        "stage.done": "done",
        "result.title": "Plan", "result.unassigned": "Points not served", "result.reason": "Reason",
        "result.none_unassigned": "Every point due today is served.",
        "result.overview": "Overview map", "result.downloads": "Downloads",
        "result.all_sheets": "All sheets (one PDF)", "result.zip": "The whole folder (ZIP: GPX, CSV, GeoJSON, maps, sheets)",
        "result.sheet": "Driver sheet (PDF)", "result.gpx": "GPX", "result.map_file": "Map (HTML)",
        "result.stops": "Stop list", "result.to_landfill": "→ landfill (unload)", "result.break": "Break",
        "result.settings": "Settings",
        "kpi.trucks_used": "Trucks used", "kpi.points_served": "Points served", "kpi.points_unassigned": "Not served",
        "kpi.points_not_due": "Not due today", "kpi.landfill_trips": "Landfill trips", "kpi.km": "km",
        "kpi.hours": "Truck hours", "kpi.m3": "m³", "kpi.tonnes": "tonnes", "kpi.tonnes_per_trip": "tonnes per trip",
        "kpi.fuel_l": "Diesel (L)", "kpi.co2_kg": "CO₂ (kg)", "kpi.solve_s": "Solve time (s)",
        "col.n": "No", "col.time": "Arrive", "col.point": "Point", "col.name": "Name", "col.kelurahan": "Kelurahan",
        "col.kind": "Kind", "col.volume": "m³", "col.load": "Load", "col.km": "km",
        "history.title": "Plan history", "history.empty": "No plans yet.", "history.date": "Plan date",
        "history.made": "Made (UTC)", "history.settings": "Settings", "history.open": "Open",
        "history.delete": "Delete", "history.compare": "Compare the two ticked", "history.pick_two": "Tick exactly two finished plans.",
        "compare.title": "Two plans compared", "compare.figure": "Figure", "compare.diff": "Difference",
        "data.title": "Collection points data", "data.current": "Current file", "data.download": "Download the current file",
        "data.upload": "Upload a new points file (CSV or XLSX)", "data.submit": "Check and replace",
        "data.help": "The file is checked row by row first; the current file is replaced only when every row is right. Row 1 = the first row under the header.",
        "data.ok": "File accepted: {n} points. The next plans use it.",
        "data.errors": "File refused, nothing was replaced. Problems:",
        "evaluate.title": "Evaluate the rounds driven today", "evaluate.rounds": "Rounds file (CSV)",
        "evaluate.compare": "Compare with an optimised plan", "evaluate.compare_with": "Plan to compare with",
        "evaluate.solve_now": "solve a new plan now", "evaluate.submit": "Evaluate",
        "evaluate.findings": "Rules broken", "evaluate.report": "Report", "evaluate.comparison": "Comparison",
        "evaluate.none": "No rule is broken.",
        "login.title": "Log in", "login.token": "Password", "login.submit": "Log in", "login.bad": "Wrong password.",
        "generic.back": "Back", "generic.error": "Something is wrong", "notice": "Notice",
        "osm": "Maps: © OpenStreetMap contributors",
    },
}


def translator(lang: str):  # type: ignore[no-untyped-def]
    """``t(key, **values)`` for ``lang``: the text with ``{name}`` filled in."""
    table, fallback = TEXT.get(lang, TEXT[DEFAULT]), TEXT[DEFAULT]

    def t(key: str, **values: object) -> str:
        text = table.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t
