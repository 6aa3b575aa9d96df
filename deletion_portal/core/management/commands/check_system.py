"""``manage.py check_system``: can this machine render PDFs and write under var/? (run by ``make run``)"""

from django.core.management.base import BaseCommand, CommandError

from deletion_portal.core.system import system_problems


class Command(BaseCommand):
    help = "Check the system libraries WeasyPrint needs and that the var/ folders are writable."
    requires_system_checks = []

    def handle(self, *args, **options):
        problems = system_problems()
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(str(problem)) + "\n")
            raise CommandError(f"{len(problems)} problem(s) found; fix them and run `make run` again.")
        self.stdout.write(self.style.SUCCESS("System OK: WeasyPrint renders PDFs and var/ is writable."))
